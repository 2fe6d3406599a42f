"""Staff acknowledge the current version of the policies that apply to them (2.1)."""

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Notification
from policies.models import Acknowledgement, ApprovingBody
from policies.selectors import policies_for_acknowledgement, waiting_count
from policies.services import policy_adopt, policy_review_record

from .helpers import pdf, school_policy, social_media_policy, trust_policy


def _ack(client, policy):
    return client.post(reverse("policies:acknowledge", args=[policy.pk]))


def test_member_of_staff_acknowledges_and_a_new_version_asks_again(world, client_for):
    policy = school_policy(world)
    client = client_for("staff_a")
    assert _ack(client, policy).status_code == 302
    ack = Acknowledgement.objects.get(user=world.staff_a)
    assert ack.version == policy.current_version  # the exact version
    assert AuditEntry.objects.filter(action="policy.acknowledged", actor=world.staff_a).exists()
    body = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert 'data-ack="done"' in body

    policy_review_record(
        actor=world.head_a, policy=policy, new_version=True, approved_on=timezone.localdate(),
        approved_by=ApprovingBody.HEADTEACHER, document=pdf("v2.pdf"),
    )  # fmt: skip
    policy.refresh_from_db()
    body = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert 'data-ack="done"' not in body
    assert "I have read and understood this version" in body
    assert Notification.objects.filter(
        recipient=world.staff_a, kind="policies.acknowledge_requested",
        dedupe_key=f"policies.ack:{policy.current_version_id}",
    ).exists()  # fmt: skip
    assert _ack(client, policy).status_code == 302
    assert sorted(
        Acknowledgement.objects.filter(user=world.staff_a).values_list("version__number", flat=True)
    ) == [1, 2]


def test_acknowledging_twice_changes_nothing(world, client_for):
    policy = school_policy(world)
    client = client_for("staff_a")
    _ack(client, policy)
    _ack(client, policy)
    assert Acknowledgement.objects.filter(user=world.staff_a).count() == 1


def test_staff_see_what_waits_for_them_on_their_home_page(world, client_for):
    school_policy(world)
    client = client_for("staff_a")
    body = client.get(reverse("dashboard:home")).content.decode()
    assert "Policies to read and acknowledge" in body
    assert waiting_count(world.staff_a) == 2  # the Social Media Policy and the school's own
    _ack(client, social_media_policy(world))
    assert waiting_count(world.staff_a) == 1


def test_home_query_count_does_not_grow_with_policies(world, client_for, count_queries):
    client = client_for("staff_a")
    url = reverse("dashboard:home")
    before = count_queries(client, url)
    for i in range(4):
        school_policy(world, title=f"P{i}")
        trust_policy(world, title=f"T{i}")
    assert count_queries(client, url) == before


def test_a_school_policy_does_not_ask_another_schools_staff(world):
    policy = school_policy(world)
    titles = {p.title for p in policies_for_acknowledgement(world.staff_b)}
    assert policy.title not in titles
    assert "Social Media Policy" in titles


def test_a_local_variant_replaces_the_trust_policy_for_that_school_only(world):
    policy = trust_policy(world)
    adoption = policy_adopt(
        actor=world.head_a, policy=policy, school=world.school_a,
        adopted_on=timezone.localdate(), local_variant_document=pdf(),
    )  # fmt: skip
    a_titles = {p.pk for p in policies_for_acknowledgement(world.staff_a)}
    b_titles = {p.pk for p in policies_for_acknowledgement(world.staff_b)}
    assert adoption.local_variant.pk in a_titles and policy.pk not in a_titles
    assert policy.pk in b_titles and adoption.local_variant.pk not in b_titles


def test_trustee_is_not_asked_to_acknowledge(world, client_for):
    response = _ack(client_for("trustee"), social_media_policy(world))
    assert response.status_code == 404
    assert not Acknowledgement.objects.exists()


def test_leader_sees_who_has_not_acknowledged_in_their_school_only(world, client_for):
    policy = school_policy(world)
    _ack(client_for("teacher_a"), policy)
    body = client_for("leader_a").get(reverse("policies:outstanding")).content.decode()
    assert world.staff_a.full_name in body
    assert world.staff_b.full_name not in body
    section = body.split(policy.title, 1)[1].split("</section>", 1)[0]
    assert world.teacher_a.full_name not in section
    assert "5 of 6 staff have not acknowledged" in section


def test_leader_asking_for_another_school_gets_404(world, client_for):
    url = reverse("policies:outstanding") + f"?school={world.school_b.pk}"
    assert client_for("leader_a").get(url).status_code == 404


def test_outstanding_query_count_does_not_grow(world, client_for, count_queries):
    from accounts.roles import SchoolRole
    from accounts.services import role_assign
    from tests.factories import UserFactory

    client = client_for("leader_a")
    url = reverse("policies:outstanding")
    school_policy(world)
    before = count_queries(client, url)
    for i in range(3):
        school_policy(world, title=f"P{i}")
        role_assign(actor=None, user=UserFactory(), school=world.school_a, role=SchoolRole.STAFF)
    assert count_queries(client, url) == before


def test_policy_owner_sees_their_policies_due_for_review_on_the_home_page(world, client_for):
    school_policy(world, owner=world.leader_a, review_in_days=10)
    school_policy(world, owner=world.leader_a, review_in_days=300, title="Not yet due")
    body = client_for("leader_a").get(reverse("dashboard:home")).content.decode()
    card = body.split("Policies you own that are overdue", 1)[1].split("</a>", 1)[0]
    assert '<span class="home-card-count">1</span>' in card
