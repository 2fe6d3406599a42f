"""Schools managed by trust administrators: name, URN, phase, ages, email domains, and the
headteacher shown on the school page (issue 3, Trust, schools, people, roles)."""

from django.urls import reverse

from accounts.models import School, SchoolEmailDomain
from accounts.roles import SchoolRole
from accounts.services import role_remove
from audit.models import AuditEntry

CREATE = reverse("accounts:school_create")


def school_data(**overrides):
    data = {
        "name": "Cedar Academy",
        "urn": "130999",
        "phase": "primary",
        "age_from": 4,
        "age_to": 11,
        "domains": "cedar.example\n@Cedar-Primary.sch.uk",
    }
    data.update(overrides)
    return data


def test_trust_admin_creates_school_with_domains_and_audit(world, client_for):
    response = client_for("trust_admin").post(CREATE, school_data())
    school = School.objects.get(urn="130999")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:school_detail", kwargs={"pk": school.pk})
    assert school.trust == world.trust
    assert sorted(school.email_domains.values_list("domain", flat=True)) == [
        "cedar-primary.sch.uk",
        "cedar.example",
    ]
    assert AuditEntry.objects.filter(action="school.created", school_id=school.pk).exists()


def test_bad_domain_syntax_is_refused_with_a_clear_message(world, client_for):
    response = client_for("trust_admin").post(CREATE, school_data(domains="http://cedar example"))
    assert response.status_code == 200
    assert "is not an email domain" in response.content.decode()
    assert not School.objects.filter(urn="130999").exists()


def test_domain_owned_by_another_school_is_refused(world, client_for):
    response = client_for("trust_admin").post(CREATE, school_data(domains="birch.example"))
    assert response.status_code == 200
    assert "already belongs to Birch Academy" in response.content.decode()
    assert not School.objects.filter(urn="130999").exists()


def test_duplicate_urn_and_reversed_ages_are_form_errors(world, client_for):
    client = client_for("trust_admin")
    response = client.post(CREATE, school_data(urn=world.school_a.urn, age_from=11, age_to=4))
    form = response.context["form"]
    assert "urn" in form.errors
    assert "age_to" in form.errors
    assert School.objects.count() == 2


def test_urn_must_be_six_digits(world, client_for):
    response = client_for("trust_admin").post(CREATE, school_data(urn="12AB"))
    assert "six-digit" in str(response.context["form"].errors["urn"])


def test_edit_changes_domains_and_records_what_changed(world, client_for):
    url = reverse("accounts:school_edit", kwargs={"pk": world.school_a.pk})
    client = client_for("trust_admin")
    form = client.get(url).context["form"]
    assert form.initial["domains"] == "alder.example"
    response = client.post(
        url,
        school_data(name="Alder Academy", urn=world.school_a.urn, domains="alder.sch.uk"),
    )
    assert response.status_code == 302
    assert list(world.school_a.email_domains.values_list("domain", flat=True)) == ["alder.sch.uk"]
    entry = AuditEntry.objects.get(action="school.updated")
    assert entry.data["changed"]["domains"] == [["alder.example"], ["alder.sch.uk"]]
    assert not SchoolEmailDomain.objects.filter(domain="alder.example").exists()


def test_school_page_shows_the_headteacher(world, client_for):
    url = reverse("accounts:school_detail", kwargs={"pk": world.school_a.pk})
    client = client_for("trust_admin")
    assert "Head A" in client.get(url).content.decode()
    role_remove(actor=None, user=world.head_a, school=world.school_a, role=SchoolRole.HEADTEACHER)
    assert "None yet" in client.get(url).content.decode()


def test_school_list_query_count_is_fixed(world, client_for, count_queries):
    from tests.factories import SchoolFactory

    client = client_for("trust_admin")
    url = reverse("accounts:school_list")
    before = count_queries(client, url)
    for _ in range(5):
        SchoolFactory(trust=world.trust)
    assert count_queries(client, url) == before


def test_headteacher_of_another_school_cannot_edit_and_gets_404(world, client_for):
    url = reverse("accounts:school_edit", kwargs={"pk": world.school_a.pk})
    response = client_for("head_b").post(url, school_data(urn=world.school_a.urn))
    assert response.status_code == 404
    world.school_a.refresh_from_db()
    assert world.school_a.name == "Alder Academy"
