"""Local variants have their own approval and review dates, and say when the trust version they
follow has moved on (clause 8; issue 15). The trustees' dashboard names overdue policies."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.figures import dashboard_scope
from policies.figures import overdue_for, overdue_policy_table
from policies.models import ApprovingBody, Policy, ReviewStatus
from policies.services import PolicyError, policy_adopt, policy_review_record
from policies.variants import variant_standing

from .helpers import pdf, school_policy, trust_policy

TODAY = timezone.localdate


def _overdue_trust_policy(world) -> Policy:
    policy = trust_policy(world, review_in_days=400)
    Policy.objects.filter(pk=policy.pk).update(review_due=TODAY() - timedelta(days=300))
    return Policy.objects.get(pk=policy.pk)


def test_adopted_variant_has_its_own_approval_and_review_date(world):
    parent = _overdue_trust_policy(world)
    adoption = policy_adopt(
        actor=world.head_a,
        policy=parent,
        school=world.school_a,
        adopted_on=TODAY() - timedelta(days=2),
        local_variant_document=pdf(),
        approved_by=ApprovingBody.HEADTEACHER,
        approved_on=TODAY() - timedelta(days=5),
        review_due=TODAY() + timedelta(days=365),
    )
    variant = adoption.local_variant
    assert variant.review_due == TODAY() + timedelta(days=365)
    assert variant.review_status == ReviewStatus.CURRENT  # not the parent's "Overdue"
    assert variant.current_version.approved_by == ApprovingBody.HEADTEACHER
    assert variant.current_version.approved_on == TODAY() - timedelta(days=5)
    assert variant.current_version.created_by == world.head_a
    assert variant.variant_base_version == parent.current_version
    assert not variant_standing(variant).moved_on


def test_variant_review_date_defaults_to_its_approval_plus_interval(world):
    parent = _overdue_trust_policy(world)  # 24-month interval
    variant = policy_adopt(
        actor=world.head_a,
        policy=parent,
        school=world.school_a,
        adopted_on=TODAY(),
        local_variant_document=pdf(),
    ).local_variant
    assert variant.review_due > TODAY() + timedelta(days=700)


def test_variant_review_date_before_approval_is_refused(world):
    parent = _overdue_trust_policy(world)
    with pytest.raises(PolicyError):
        policy_adopt(
            actor=world.head_a,
            policy=parent,
            school=world.school_a,
            adopted_on=TODAY(),
            local_variant_document=pdf(),
            review_due=TODAY() - timedelta(days=1),
        )
    assert not Policy.objects.filter(variant_of=parent).exists()


def test_variant_says_when_the_trust_version_moved_on_until_reviewed(world, client_for):
    parent = trust_policy(world)
    variant = policy_adopt(
        actor=world.head_a,
        policy=parent,
        school=world.school_a,
        adopted_on=TODAY(),
        local_variant_document=pdf(),
    ).local_variant
    policy_review_record(
        actor=world.trust_admin,
        policy=parent,
        new_version=True,
        approved_on=TODAY(),
        approved_by=ApprovingBody.TRUST_BOARD,
        document=pdf(),
    )
    variant.refresh_from_db()
    standing = variant_standing(variant)
    assert standing.moved_on and standing.trust_current.number == 2
    assert variant.review_status == ReviewStatus.CURRENT  # its own dates are separate
    page = client_for("head_a").get(reverse("policies:detail", args=[variant.pk]))
    assert "Trust version updated" in page.content.decode()
    listing = client_for("head_a").get(reverse("policies:list")).content.decode()
    assert "Trust version updated" in listing
    policy_review_record(
        actor=world.head_a,
        policy=variant,
        new_version=False,
        approved_on=TODAY(),
        approved_by=ApprovingBody.HEADTEACHER,
        next_review_due=TODAY() + timedelta(days=300),
    )
    variant.refresh_from_db()
    assert not variant_standing(variant).moved_on
    assert (
        "Up to date"
        in client_for("head_a").get(reverse("policies:detail", args=[variant.pk])).content.decode()
    )


def test_adopt_form_takes_the_variants_dates(world, client_for):
    parent = _overdue_trust_policy(world)
    response = client_for("head_a").post(
        reverse("policies:adopt", args=[parent.pk]),
        {
            "school": world.school_a.pk,
            "adopted_on": TODAY().isoformat(),
            "document": pdf(),
            "variant_approved_by": ApprovingBody.HEADTEACHER,
            "variant_approved_on": (TODAY() - timedelta(days=1)).isoformat(),
            "variant_review_due": (TODAY() + timedelta(days=200)).isoformat(),
        },
    )
    assert response.status_code == 302
    variant = Policy.objects.get(variant_of=parent)
    assert variant.review_due == TODAY() + timedelta(days=200)
    assert variant.approving_body == ApprovingBody.HEADTEACHER


def test_adopt_form_error_for_a_review_date_before_approval(world, client_for):
    parent = _overdue_trust_policy(world)
    response = client_for("head_a").post(
        reverse("policies:adopt", args=[parent.pk]),
        {
            "school": world.school_a.pk,
            "adopted_on": TODAY().isoformat(),
            "document": pdf(),
            "variant_review_due": (TODAY() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Enter a review date after" in response.content.decode()


# --- the trustees' dashboard names the overdue policies (issue 15, item 3) ---------------------


def test_dashboard_names_overdue_policies_with_school_date_and_age(world, client_for):
    own = school_policy(world, title="Alder Behaviour Policy")
    Policy.objects.filter(pk=own.pk).update(review_due=TODAY() - timedelta(days=10))
    _overdue_trust_policy(world)
    school_policy(world, world.school_b, title="Birch Current Policy", review_in_days=100)
    scope = dashboard_scope(world.trustee)
    table = overdue_policy_table(scope)
    rows = [(r.label, r.cells[0].text, r.cells[2].text) for r in table.rows]
    assert ("Trust-wide", "Staff Code of Conduct", "about 10 months") in rows
    assert (world.school_a.name, "Alder Behaviour Policy", "10 days") in rows
    assert not any("Birch Current" in title for _, title, _ in rows)
    # A school leader's dashboard names only what applies to their school.
    leader_rows = overdue_policy_table(dashboard_scope(world.head_b)).rows
    assert not any(r.cells[0].text == "Alder Behaviour Policy" for r in leader_rows)
    page = client_for("trustee").get(reverse("dashboard:trust")).content.decode()
    assert "Policies past their review date" in page and "Alder Behaviour Policy" in page
    response = client_for("trustee").get(reverse("dashboard:trust_csv"))
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Policies past their review date", world.school_a.name, "Policy",
            "Alder Behaviour Policy"] in lines  # fmt: skip
    assert ["Policies past their review date", world.school_a.name, "Overdue by", "10 days"] in (
        lines
    )


def test_variant_replacing_an_overdue_trust_policy_hides_it_for_that_school(world):
    parent = _overdue_trust_policy(world)
    policy_adopt(
        actor=world.head_a,
        policy=parent,
        school=world.school_a,
        adopted_on=TODAY(),
        local_variant_document=pdf(),
    )

    def titles(scope):
        return [r.cells[0].text for r in overdue_policy_table(scope).rows]

    assert "Staff Code of Conduct" not in titles(dashboard_scope(world.head_a))
    assert "Staff Code of Conduct" in titles(dashboard_scope(world.head_b))
    assert "Staff Code of Conduct" in titles(dashboard_scope(world.trustee))


@pytest.mark.parametrize(
    ("days", "text"),
    [(1, "1 day"), (45, "45 days"), (300, "about 10 months"), (1000, "over 2 years")],
)
def test_overdue_wording(days, text):
    assert overdue_for(days) == text


def test_dashboard_query_count_does_not_grow_with_overdue_policies(
    world, client_for, count_queries
):
    client = client_for("trustee")
    url = reverse("dashboard:trust")
    school_policy(world, title="P0", review_in_days=-5)
    first = count_queries(client, url)
    for n in range(1, 6):
        school_policy(world, title=f"P{n}", review_in_days=-5 - n)
    assert count_queries(client, url) == first
