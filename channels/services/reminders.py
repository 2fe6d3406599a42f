"""Reminders (Celery beat; safe to run any number of times)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from notifications.services import notify

from .. import selectors
from .checks import _context, _link


def send_approval_reminders(today: date | None = None) -> int:
    """Remind the approvers of every request waiting more than the limit of school days,
    once per account and due date (a resubmission starts a new wait)."""
    today = today or timezone.localdate()
    sent = 0
    for account in selectors.overdue_approvals(today):
        due = selectors.approval_due_date(account)
        with transaction.atomic():
            sent += len(
                notify(
                    selectors.approvers_of(account),
                    "channels.approval_overdue",
                    context=_context(account, school_days=selectors.approval_age(account, today)),
                    link=_link(account),
                    school=account.school,
                    dedupe_key=f"channels.approval_overdue:{account.pk}:{due.isoformat()}",
                )
            )
    return sent


def send_review_reminders(today: date | None = None) -> int:
    """Remind the school's leaders and the owner of every overdue annual review (4.5d),
    once per account and due date."""
    today = today or timezone.localdate()
    sent = 0
    for account in selectors.overdue_reviews(today):
        due = account.next_review_due
        with transaction.atomic():
            sent += len(
                notify(
                    [*selectors.leaders_of(account.school_id), account.owner],
                    "channels.review_overdue",
                    context=_context(account, due=due.isoformat()),
                    link=_link(account),
                    school=account.school,
                    dedupe_key=f"channels.review_overdue:{account.pk}:{due.isoformat()}",
                )
            )
    return sent
