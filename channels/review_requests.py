"""A review of an official account brought forward (4.5d), when the school's leaders ask for
one outside the yearly round: after a breach case names the account (7.3 with 4.5c), say.

Whoever calls it has checked the actor's right to ask (the case handlers, in
breaches/account_actions.py). What the account's team can see, its history and the review
falling due, names no cause and no person: the owner may be the subject of a report
(issue 14); the audit log keeps who asked.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record

from .models import AccountEvent, OfficialAccount

REVIEWABLE = (OfficialAccount.Status.ACTIVE, OfficialAccount.Status.SUSPENDED)


class ReviewRequestError(Exception):
    """The account cannot be reviewed now; the message is for the user."""


def account_review_bring_forward(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """Make the account's review due today (4.5d). The leaders then review it on its page as
    any other due review; the daily reminders tell them and the owner, as for any due review."""
    with transaction.atomic():
        account = OfficialAccount.objects.select_for_update().get(pk=account.pk)
        if account.status not in REVIEWABLE:
            raise ReviewRequestError("Only an active or suspended account is reviewed.")
        today = timezone.localdate()
        before = account.next_review_due
        if before is None or before > today:
            account.next_review_due = today
            account.save(update_fields=["next_review_due", "updated_at"])
        AccountEvent.objects.create(
            account=account,
            actor=None,
            action="review_brought_forward",
            from_status=account.status,
            to_status=account.status,
            note=f"Review due {today:%d/%m/%Y}.",
        )
        record(
            actor,
            "account.review_brought_forward",
            account,
            account.school_id,
            {"due_before": before, "due": account.next_review_due},
        )
    return account
