"""Browser journeys of issue 8: a policy owner records a review and the badge turns green; a
member of staff acknowledges a new version."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from policies.models import Acknowledgement, ApprovingBody, ReviewStatus
from policies.services import policy_acknowledge, policy_review_record
from tests.policies.browser_steps import seed_social_media_policy, sign_in
from tests.policies.helpers import PDF_BYTES, pdf, school_policy

pytestmark = pytest.mark.django_db(transaction=True)


def test_policy_owner_records_a_review_and_the_badge_turns_green(world, new_visitor):
    seed_social_media_policy()
    policy = school_policy(world, review_in_days=-20, approved_days_ago=400)
    visitor = new_visitor("head-a")
    sign_in(visitor, world.head_a)
    visitor.goto("policies:detail", policy.pk, slug="policy-overdue")
    badge = visitor.page.locator("h1 [data-status]")
    assert badge.get_attribute("data-status") == "overdue"
    assert badge.inner_text().strip() == "Overdue"

    visitor.page.get_by_role("link", name="Record a review").click()
    visitor.page.wait_for_load_state("load")
    visitor.check("review-form")
    visitor.page.get_by_label("New version approved (upload it)").check()
    visitor.fill("approved_on", timezone.localdate().isoformat())
    visitor.page.locator('[name="approved_by"]').select_option(ApprovingBody.LOCAL_GOVERNING_BODY)
    visitor.page.locator('[name="document"]').set_input_files(
        {"name": "e-safety-2.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    visitor.fill("summary", "Annual review")
    visitor.submit("Record the review", slug="after-review")

    assert visitor.path == reverse("policies:detail", args=[policy.pk])
    badge = visitor.page.locator("h1 [data-status]")
    assert badge.get_attribute("data-status") == "current"
    assert badge.inner_text().strip() == "Current"
    assert "New version approved (v2)" in visitor.text()
    policy.refresh_from_db()
    assert policy.review_status == ReviewStatus.CURRENT


def test_member_of_staff_acknowledges_a_new_version(world, new_visitor):
    seed_social_media_policy()
    policy = school_policy(world)
    policy_acknowledge(user=world.staff_a, policy=policy)
    policy_review_record(
        actor=world.head_a, policy=policy, new_version=True, approved_on=timezone.localdate(),
        approved_by=ApprovingBody.HEADTEACHER, document=pdf("v2.pdf"),
    )  # fmt: skip
    visitor = new_visitor("staff-a")
    sign_in(visitor, world.staff_a)
    assert visitor.path == reverse("dashboard:home")
    card = visitor.page.locator("a.card", has_text="Policies to read and acknowledge")
    assert (
        card.locator(".home-card-count").inner_text() == "2"
    )  # this one and the Social Media Policy
    card.click()
    visitor.page.wait_for_load_state("load")
    visitor.check("my-policies")
    visitor.page.get_by_role("link", name=policy.title).click()
    visitor.page.wait_for_load_state("load")
    visitor.check("policy-v2")
    visitor.submit("I have read and understood this version", slug="after-acknowledge")
    assert "You acknowledged version 2" in visitor.text()
    assert sorted(
        Acknowledgement.objects.filter(user=world.staff_a).values_list("version__number", flat=True)
    ) == [1, 2]
