"""The consent round's pages (issue 17): the carer's page shows nothing before the date of
birth, saves answers, withdraws; rate limits; the office's grid and progress."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from consents.models import ConsentDecision, CurrentConsent, RoundInvite
from consents.rounds.forms import answer_field, grid_field
from consents.services import ALL_ITEMS
from notifications.models import Notification

from .round_helpers import TODAY, family, start


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(TODAY)
    cache.clear()


def link_for(carer) -> str:
    return Notification.objects.filter(to_email=carer.email).latest("pk").link


def test_carer_page_shows_nothing_before_the_date_of_birth(world, client):
    student, (carer,) = family(world.school_a, given_name="Zebedee")
    start(world)
    url = link_for(carer)
    page = client.get(url)
    assert page.status_code == 200
    assert world.school_a.name in page.content.decode()
    assert "Zebedee" not in page.content.decode()
    wrong = client.post(url, {"date_of_birth": "28/3/2015"})
    assert "does not match" in wrong.content.decode() and "Zebedee" not in wrong.content.decode()
    assert "4 tries left" in wrong.content.decode()
    right = client.post(url, {"date_of_birth": "27/3/2015"})
    assert right.status_code == 302 and right["Location"] == url
    page = client.get(url).content.decode()
    assert "Zebedee" in page and "wording 2026.1" in page


def confirmed(client, carer) -> str:
    url = link_for(carer)
    client.post(url, {"date_of_birth": "27/03/2015"})
    return url


def test_carer_answers_and_withdraws_from_the_page(world, client):
    student, (carer,) = family(world.school_a)
    start(world)
    url = confirmed(client, carer)
    incomplete = client.post(url, {"action": "answer"})
    assert incomplete.status_code == 200 and "Choose yes or no" in incomplete.content.decode()
    assert not ConsentDecision.objects.exists()
    data = {answer_field(student.pk, p, m): "yes" for p, m in ALL_ITEMS}
    data[f"c{student.pk}_naming"] = "initials"
    data["action"] = "answer"
    assert client.post(url, data).status_code == 302
    assert CurrentConsent.objects.filter(student=student, allowed=True).count() == len(ALL_ITEMS)
    # The page starts from the carer's own answer next time.
    assert 'value="initials"\n' in client.get(url).content.decode() or "checked" in (
        client.get(url).content.decode()
    )
    assert client.post(url, {"action": "withdraw"}).status_code == 302
    latest = ConsentDecision.objects.filter(student=student).first()
    assert latest.is_withdrawal and latest.method == "online"
    assert not CurrentConsent.objects.filter(student=student, allowed=True).exists()


def test_confirmation_does_not_survive_a_resend(world, client):
    from consents.rounds.services import invite_resend

    student, (carer,) = family(world.school_a, given_name="Zebedee")
    start(world)
    url = confirmed(client, carer)
    invite_resend(actor=world.office_a, invite=RoundInvite.objects.get(carer=carer))
    assert client.get(url).status_code == 404
    new = link_for(carer)
    assert "Zebedee" not in client.get(new).content.decode()


@pytest.mark.parametrize(
    ("token", "words"),
    [("made-up", "not right"), ("a" * 300, "not right")],
)
def test_wrong_links_say_so_plainly(world, client, token, words):
    page = client.get(reverse("carer_consent:link", kwargs={"token": token}))
    assert page.status_code == 404 and words in page.content.decode()


def test_expired_link_says_so(world, client, time_machine):
    _, (carer,) = family(world.school_a)
    start(world)
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, 0))
    page = client.get(link_for(carer))
    assert page.status_code == 404 and "expired on 30 October 2026" in page.content.decode()


def test_links_are_rate_limited_per_link_and_per_address(world, client, settings):
    settings.CONSENT_ROUND_LIMITS = {"link": 3, "address": 5, "code": 2}
    _, (carer,) = family(world.school_a)
    _, (other,) = family(world.school_a)
    start(world)
    url = link_for(carer)
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    # The same address, another link: the address's own limit (5) ends it next.
    assert client.get(link_for(other)).status_code == 200
    assert client.get(link_for(other)).status_code == 429
    cache.clear()
    code = reverse("carer_consent:code")
    statuses = [client.post(code, {"code": "AAAAA-AAAAA"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_code_entry_leads_to_the_same_page(world, client):
    from consents.rounds.services import letters_issue

    _, (carer,) = family(world.school_a, email=False)
    rnd = start(world)
    ((_, code),) = letters_issue(actor=world.office_a, rnd=rnd)
    wrong = client.post(reverse("carer_consent:code"), {"code": "AAAAA-AAAAB"})
    assert "not right or no longer works" in wrong.content.decode()
    right = client.post(reverse("carer_consent:code"), {"code": code.lower()})
    assert right.status_code == 302 and right["Location"].startswith("/consent/r/")
    assert "date of birth" in client.get(right["Location"]).content.decode()


def test_office_starts_the_round_from_the_consent_page(world, client_for):
    family(world.school_a)
    office = client_for("office_a")
    assert (
        reverse("consents:round_index")
        in office.get(reverse("consents:student_list")).content.decode()
    )
    refused = office.post(
        reverse("consents:round_index"),
        {"school": world.school_a.pk, "ends_on": "1/9/2027", "wording": ""},
    )
    assert refused.status_code == 200 and "Error:" in refused.content.decode()
    from .factories import WordingFactory

    wording = WordingFactory()
    done = office.post(
        reverse("consents:round_index"),
        {"school": world.school_a.pk, "ends_on": "30/10/2026", "wording": wording.pk},
    )
    assert done.status_code == 302
    assert Notification.objects.filter(kind="consents.round_link").count() == 1


def grid_post(student, carer=None, boxes=(), naming="", given_on="1/10/2026"):
    data = {"class": "7a", "given_on": given_on}
    data[f"s{student.pk}_carer"] = str(carer.pk) if carer else ""
    data[f"s{student.pk}_naming"] = naming
    for p, m in boxes:
        data[grid_field(student.pk, p, m)] = "on"
    return data


def test_grid_refuses_a_row_without_its_carer_and_writes_nothing(world, client_for):
    student, (carer,) = family(world.school_a, form="7A")
    other, (other_carer,) = family(world.school_a, form="7A")
    rnd = start(world)
    office = client_for("office_a")
    url = reverse("consents:round_grid", kwargs={"pk": rnd.pk})
    assert "round-grid" in office.get(url + "?form=7a").content.decode()  # case ignored
    data = grid_post(student, carer, ALL_ITEMS, "first_name")
    data |= grid_post(other, None, ALL_ITEMS[:1])
    page = office.post(url, data)
    assert page.status_code == 200 and "Choose the carer who signed" in page.content.decode()
    assert not ConsentDecision.objects.exists()
    # A carer of another child is not a choice.
    data = grid_post(student, other_carer, ALL_ITEMS, "first_name")
    assert office.post(url, data).status_code == 200
    assert not ConsentDecision.objects.exists()
    # Boxes ticked without naming: asked for.
    page = office.post(url, grid_post(student, carer, ALL_ITEMS))
    assert "how" in page.content.decode() and not ConsentDecision.objects.exists()
    # A date in the future: refused.
    page = office.post(url, grid_post(student, carer, ALL_ITEMS, "initials", "1/1/2027"))
    assert "cannot be in the future" in page.content.decode()


def test_grid_records_many_children_at_once(world, client_for):
    a, (carer_a,) = family(world.school_a, form="7A")
    b, (carer_b,) = family(world.school_a, form="7A")
    rnd = start(world)
    office = client_for("office_a")
    url = reverse("consents:round_grid", kwargs={"pk": rnd.pk})
    data = grid_post(a, carer_a, ALL_ITEMS, "initials") | grid_post(b, carer_b)
    assert office.post(url, data).status_code == 302
    decisions = ConsentDecision.objects.order_by("student_id")
    assert [(d.student_id, d.method, d.is_withdrawal) for d in decisions] == [
        (a.pk, "paper", False),
        (b.pk, "paper", True),
    ]
    assert decisions[0].entered_by == world.office_a and decisions[0].wording == rnd.wording


def test_progress_and_carers_pages_have_flat_query_counts(world, client_for, count_queries):
    for i in range(2):
        family(world.school_a, form=f"7{i}")
    rnd = start(world)
    office = client_for("office_a")
    urls = [
        reverse("consents:round_detail", kwargs={"pk": rnd.pk}),
        reverse("consents:round_carers", kwargs={"pk": rnd.pk}),
    ]
    before = [count_queries(office, u) for u in urls]
    for i in range(6):
        family(world.school_a, form=f"8{i}", n_carers=2)
    from consents.models import Carer

    rnd_invites = [
        RoundInvite(round=rnd, carer=c)
        for c in Carer.objects.exclude(pk__in=RoundInvite.objects.values("carer_id")).filter(
            school=world.school_a
        )
    ]
    RoundInvite.objects.bulk_create(rnd_invites)
    assert [count_queries(office, u) for u in urls] == before
