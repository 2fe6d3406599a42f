"""Issue 15 item 4 in Chromium (7.3 with 4.5c, 4.5d): a report names an official account; its
owner is told nothing; the headteacher opens the case, sees which account was named, starts
the password rotation and a review of the account, and the chronology shows both."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from breaches.services import breach_report
from escrow.models import Credential
from notifications.models import Notification

from .test_channels import sign_in


def test_head_starts_rotation_and_review_from_the_case(new_visitor):
    call_command("load_demo", stdout=StringIO())
    credential = (
        Credential.objects.filter(
            account__status="active", rotation_required=False, account__owner__isnull=False
        )
        .select_related("account", "account__school", "account__owner")
        .order_by("account__school__name")
        .first()
    )
    account = credential.account
    school = account.school
    head = User.objects.get(memberships__school=school, memberships__role="headteacher")
    reporter = (
        User.objects.filter(memberships__school=school, memberships__role="staff")
        .exclude(pk__in=[account.owner_id, head.pk])
        .first()
    )
    told_before = Notification.objects.filter(recipient=account.owner).count()
    case = breach_report(
        actor=reporter,
        school=school,
        category="reputation",
        seen_at=timezone.now() - timedelta(hours=2),
        description="A post on the account looked like a personal remark.",
        subject=account.owner,
        account=account,
    )
    assert Notification.objects.filter(recipient=account.owner).count() == told_before

    visitor = new_visitor("head")
    sign_in(visitor, head.email)
    visitor.goto("breaches:case_detail", case.pk, slug="case-names-account")
    named = visitor.text("#named-account")
    assert str(account) in named

    visitor.submit("Start password rotation", slug="rotation-started")
    credential.refresh_from_db()
    assert credential.rotation_required
    visitor.submit("Start account review", slug="review-started")
    account.refresh_from_db()
    assert account.next_review_due == timezone.localdate()

    chronology = visitor.text("#chronology")
    assert "Login details to be changed" in chronology
    assert "Password rotation started" in chronology
    assert "Review of the official account started" in chronology
