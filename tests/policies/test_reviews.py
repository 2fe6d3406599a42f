"""Recording reviews: a new version or "reviewed, no change", the history, adoption."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Notification
from policies.models import ApprovingBody, Policy, PolicyReview, ReviewStatus
from policies.services import PolicyError, policy_adopt, policy_review_record

from .helpers import pdf, school_policy, social_media_policy, trust_policy


def test_policy_owner_records_a_review_and_the_badge_turns_green(world, client_for):
    policy = school_policy(world, review_in_days=-10, approved_days_ago=400)
    client = client_for("head_a")
    url = reverse("policies:detail", args=[policy.pk])
    assert 'data-status="overdue"' in client.get(url).content.decode()
    today = timezone.localdate()
    response = client.post(
        reverse("policies:review", args=[policy.pk]),
        {
            "outcome": "new_version",
            "approved_on": today.isoformat(),
            "approved_by": ApprovingBody.LOCAL_GOVERNING_BODY,
            "review_due": "",
            "document": pdf("v2.pdf"),
            "summary": "Updated for the new platforms",
        },
    )
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert 'data-status="current"' in body
    assert "Current" in body
    policy.refresh_from_db()
    assert policy.current_version.number == 2
    assert policy.review_due == today + relativedelta(months=12)  # from the interval
    assert policy.versions.count() == 2  # the history is kept
    assert list(policy.reviews.values_list("outcome", flat=True)) == [
        PolicyReview.Outcome.NEW_VERSION,
        PolicyReview.Outcome.CREATED,
    ]
    entry = AuditEntry.objects.get(action="policy.reviewed", target_id=str(policy.pk))
    assert entry.data["version"] == 2


def test_reviewed_with_no_change_keeps_the_version_and_moves_the_date_on(world):
    policy = school_policy(world, review_in_days=5)
    version = policy.current_version
    new_due = timezone.localdate() + timedelta(days=365)
    review = policy_review_record(
        actor=world.head_a,
        policy=policy,
        new_version=False,
        approved_on=timezone.localdate(),
        approved_by=ApprovingBody.HEADTEACHER,
        next_review_due=new_due,
    )
    policy.refresh_from_db()
    assert policy.current_version == version
    assert policy.review_due == new_due
    assert review.previous_review_due == timezone.localdate() + timedelta(days=5)
    assert policy.review_status == ReviewStatus.CURRENT


def test_recording_the_social_media_policy_review_clears_its_overdue_status(world):
    policy = social_media_policy(world)
    policy_review_record(
        actor=world.trust_admin,
        policy=policy,
        new_version=True,
        approved_on=timezone.localdate(),
        approved_by=ApprovingBody.TRUST_BOARD,
        document=pdf(),
    )
    policy.refresh_from_db()
    assert policy.review_status == ReviewStatus.CURRENT  # two-year interval
    assert policy.current_version.number == 2


def test_a_new_version_without_its_document_re_renders_and_nothing_changes(world, client_for):
    policy = school_policy(world, review_in_days=-1)
    response = client_for("head_a").post(
        reverse("policies:review", args=[policy.pk]),
        {
            "outcome": "new_version",
            "approved_on": timezone.localdate().isoformat(),
            "approved_by": ApprovingBody.HEADTEACHER,
        },
    )
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    policy.refresh_from_db()
    assert policy.current_version.number == 1
    assert policy.reviews.count() == 1


def test_a_leader_who_is_not_a_manager_may_not_record_a_review(world):
    policy = school_policy(world)
    with pytest.raises(PolicyError):
        policy_review_record(
            actor=world.leader_a,
            policy=policy,
            new_version=False,
            approved_on=timezone.localdate(),
            approved_by=ApprovingBody.HEADTEACHER,
            next_review_due=timezone.localdate() + timedelta(days=100),
        )


def test_the_owner_is_told_when_someone_else_records_the_review(world):
    policy = school_policy(world, owner=world.leader_a)
    policy_review_record(
        actor=world.head_a,
        policy=policy,
        new_version=False,
        approved_on=timezone.localdate(),
        approved_by=ApprovingBody.HEADTEACHER,
    )
    assert Notification.objects.filter(recipient=world.leader_a, kind="policies.reviewed").exists()


def test_status_is_due_soon_within_60_days_and_the_badge_says_so(world, client_for):
    policy = school_policy(world, review_in_days=45)
    assert policy.review_status == ReviewStatus.DUE_SOON
    body = client_for("staff_a").get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert 'data-status="due_soon"' in body
    assert "Due within 60 days" in body


def test_a_school_adopts_a_trust_policy_with_a_local_variant(world, client_for):
    policy = trust_policy(world)
    response = client_for("head_a").post(
        reverse("policies:adopt", args=[policy.pk]),
        {
            "school": str(world.school_a.pk),
            "adopted_on": timezone.localdate().isoformat(),
            "document": pdf("alder-variant.pdf"),
        },
    )
    assert response.status_code == 302
    adoption = policy.adoptions.get()
    variant = adoption.local_variant
    assert variant.school == world.school_a
    assert variant.variant_of == policy
    assert AuditEntry.objects.filter(action="policy.adopted").exists()


def test_a_headteacher_cannot_adopt_for_another_school(world, client_for):
    policy = trust_policy(world)
    response = client_for("head_a").post(
        reverse("policies:adopt", args=[policy.pk]),
        {"school": str(world.school_b.pk), "adopted_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert not policy.adoptions.exists()
    with pytest.raises(PolicyError):
        policy_adopt(
            actor=world.head_a, policy=policy, school=world.school_b,
            adopted_on=timezone.localdate(),
        )  # fmt: skip


def test_only_a_trust_wide_policy_can_be_adopted(world):
    policy = school_policy(world)
    with pytest.raises(PolicyError):
        policy_adopt(
            actor=world.trust_admin, policy=policy, school=world.school_b,
            adopted_on=timezone.localdate(),
        )  # fmt: skip
    assert not Policy.objects.filter(variant_of=policy).exists()


def test_manager_changes_the_owner_who_is_told_and_it_is_audited(world, client_for):
    policy = school_policy(world)
    response = client_for("head_a").post(
        reverse("policies:edit", args=[policy.pk]),
        {"title": policy.title, "owner": str(world.leader_a.pk), "review_interval_months": "24",
         "requires_acknowledgement": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.owner == world.leader_a
    assert policy.review_interval_months == 24
    entry = AuditEntry.objects.get(action="policy.updated", target_id=str(policy.pk))
    assert entry.data["changed"]["owner"] == [world.head_a.pk, world.leader_a.pk]
    assert Notification.objects.filter(
        recipient=world.leader_a, kind="policies.owner_assigned"
    ).exists()


def test_an_owner_from_another_school_is_not_offered_and_nothing_changes(world, client_for):
    policy = school_policy(world)
    response = client_for("head_a").post(
        reverse("policies:edit", args=[policy.pk]),
        {"title": policy.title, "owner": str(world.head_b.pk)},
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    policy.refresh_from_db()
    assert policy.owner == world.head_a
