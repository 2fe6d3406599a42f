"""Issue 15 in Chromium: a review that finds a concern opens a follow-up its owner resolves
(4.5d, 4.5j); a school adopts the overdue Social Media Policy with its own text and dates, which
is not overdue, and later says the trust version moved on (clause 8); a parent searches the
public register and reports an account pretending to be a school, is warned it is on the
register, and a flood from one address is refused (4.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.demo import ensure_catalogue
from channels.fake_reports import concerns_contact_set
from channels.models import FakeAccountReport, OfficialAccount, ReviewFollowUp
from notifications.models import Notification
from policies.models import ApprovingBody, Policy
from policies.services import policy_review_record
from tests.channels.factories import make_account
from tests.policies.browser_steps import seed_social_media_policy, sign_in
from tests.policies.helpers import PDF_BYTES, pdf

pytestmark = pytest.mark.django_db(transaction=True)
S = OfficialAccount.Status


def _live_account(world) -> OfficialAccount:
    ensure_catalogue()
    return make_account(
        world.school_a,
        requested_by=world.teacher_a,
        deputies=[world.staff_a],
        status=S.ACTIVE,
        handle="@alderpe",
        url="https://www.instagram.com/alderpe/",
    )


def test_review_concern_opens_a_followup_the_owner_resolves(world, new_visitor):
    account = _live_account(world)
    leader = new_visitor("leader-a")
    sign_in(leader, world.leader_a)
    leader.goto("channels:account_review", account.pk, slug="review-form")
    page = leader.page
    for label in (
        "The account is still needed",
        "Content is solely professional (4.5d)",
        "Privacy settings are still the strictest (4.4)",
        "No private messaging with students (4.5i)",
        "Owner and deputies are still right (5.13)",
    ):
        page.get_by_label(label).check()
    # 4.5(j) left unticked, and no note: the form says what to do.
    leader.submit("Record the review", slug="review-errors")
    assert page.title().startswith("Error:")
    assert "Say what is wrong and what will be done" in leader.text()
    assert not account.reviews.exists()
    leader.fill("notes", "The account follows two pupils back: unfollow them (4.5j).")
    page.locator('[name="followup_owner"]').select_option(str(world.teacher_a.pk))
    leader.fill("followup_due", (timezone.localdate() + timedelta(days=10)).isoformat())
    leader.submit("Record the review", slug="review-recorded")
    assert leader.path == reverse("channels:account_detail", args=[account.pk])
    followups = page.locator("#followups")
    assert "unfollow them" in followups.inner_text()
    assert world.teacher_a.full_name in followups.inner_text()
    assert ReviewFollowUp.objects.get().owner == world.teacher_a

    owner = new_visitor("teacher-a")
    sign_in(owner, world.teacher_a)
    owner.goto("channels:account_detail", account.pk, slug="followup-open")
    owner.fill("resolution", "Unfollowed both; checked the list again.")
    owner.submit("Resolve", slug="followup-resolved")
    assert "Follow-up resolved" in owner.text()
    assert owner.page.locator("#followups").count() == 0
    assert ReviewFollowUp.objects.get().status == "resolved"
    assert Notification.objects.filter(
        kind="channels.followup_resolved", recipient=world.leader_a
    ).exists()


def test_local_variant_has_its_own_dates_and_follows_the_trust_version(world, new_visitor):
    seed_social_media_policy()
    smp = Policy.objects.get(code="social-media", school__isnull=True)
    assert smp.review_status == "overdue"
    head = new_visitor("head-a")
    sign_in(head, world.head_a)
    head.goto("policies:adopt", smp.pk, slug="adopt-form")
    page = head.page
    today = timezone.localdate()
    page.locator('[name="school"]').select_option(str(world.school_a.pk))
    head.fill("adopted_on", today.isoformat())
    page.locator('[name="document"]').set_input_files(
        {"name": "alder-smp.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.locator('[name="variant_approved_by"]').select_option(ApprovingBody.HEADTEACHER)
    head.fill("variant_approved_on", (today - timedelta(days=1)).isoformat())
    head.fill("variant_review_due", (today + timedelta(days=365)).isoformat())
    head.submit("Record the adoption", slug="adopted")
    variant = Policy.objects.get(variant_of=smp)
    head.goto("policies:detail", variant.pk, slug="variant")
    badge = page.locator("h1 [data-status]")
    assert badge.get_attribute("data-status") == "current"
    assert "Up to date" in page.locator("#variant-standing").inner_text()

    policy_review_record(
        actor=world.trust_admin,
        policy=smp,
        new_version=True,
        approved_on=today,
        approved_by=ApprovingBody.TRUST_BOARD,
        next_review_due=today + timedelta(days=700),
        document=pdf("smp-2.pdf"),
    )
    head.goto("policies:detail", variant.pk, slug="trust-moved-on")
    assert "Trust version updated" in page.locator("#variant-standing").inner_text()
    assert page.locator("h1 [data-status]").get_attribute("data-status") == "current"


def test_parent_searches_reports_a_fake_is_warned_and_a_flood_is_refused(world, new_visitor):
    account = _live_account(world)
    concerns_contact_set(
        actor=world.leader_a,
        school=world.school_a,
        name="School office",
        email="office@alder.example",
    )
    parent = new_visitor("parent")
    parent.goto("register:index", slug="register")
    parent.fill("q", "alderpe")
    parent.submit("Search", slug="search")
    assert "@alderpe" in parent.text() and "office@alder.example" in parent.text()
    assert world.school_b.name not in parent.text()
    parent.follow("report an account pretending to be one of our schools", slug="report-form")
    page = parent.page

    def report(url: str, slug: str, status: int = 200) -> None:
        page.locator('[name="school"]').select_option(str(world.school_a.pk))
        parent.fill("url", url)
        parent.fill("description", "It asks parents to pay for a trip by bank transfer.")
        parent.submit("Send the report", slug=slug, status=status)

    # The address is the school's own account on the register: said to the parent.
    report("https://instagram.com/AlderPE", "sent-on-register")
    assert "is on the public register" in page.locator("#register-warning").inner_text()
    assert FakeAccountReport.objects.get().matched_account == account
    for n in (2, 3):
        parent.goto("register:report", slug=f"form-{n}")
        report(f"https://instagram.com/alder_academy_{n}", f"sent-{n}")
        assert page.locator("#register-warning").count() == 0
    parent.goto("register:report", slug="form-4")
    report("https://instagram.com/alder_academy_4", "refused", status=429)
    assert "several reports in a short time" in page.locator("#report-refused").inner_text()
    assert "office@alder.example" in parent.text()
    assert FakeAccountReport.objects.count() == 3

    leader = new_visitor("leader-a")
    sign_in(leader, world.leader_a)
    report_pk = FakeAccountReport.objects.get(matched_account=account).pk
    leader.goto("channels:fake_report_detail", report_pk, slug="leader-sees-report")
    assert "a member of the public" in leader.text()
    assert leader.page.locator("#on-register").count() == 1
