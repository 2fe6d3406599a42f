"""The annual review of an official account (4.4, 4.5d, 4.5i, 4.5j)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record
from notifications.services import notify

from .. import selectors
from ..models import (
    AccountReview,
    OfficialAccount,
)
from .checks import ChannelError, Status, _context, _event, _link, _lock


def account_review(
    *,
    actor: User,
    account: OfficialAccount,
    checks: dict[str, bool],
    notes: str = "",
    followup_owner: User | None = None,
    followup_due: date | None = None,
) -> AccountReview:
    """A leader's annual review. Each check is recorded; a failed one needs a note and opens a
    follow-up with an owner and a due date (channels.followups), and the team is told. The next
    review falls due a year later."""
    from ..followups import FollowUpError, followup_open

    with transaction.atomic():
        _lock(account)
        if account.status not in (Status.ACTIVE, Status.SUSPENDED):
            raise ChannelError("Only an active or suspended account is reviewed.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher reviews an account.")
        if selectors.is_involved(actor, account):
            raise ChannelError("You administer this account, so another leader must review it.")
        values = {name: bool(checks.get(name)) for name, _ in AccountReview.CHECKS}
        notes = (notes or "").strip()
        if not all(values.values()) and not notes:
            raise ChannelError("Say what is wrong and what will be done.", "notes")
        today = timezone.localdate()
        review = AccountReview.objects.create(
            account=account,
            reviewer=actor,
            notes=notes,
            due_date=account.next_review_due or today,
            **values,
        )
        if not review.passed:
            try:
                followup_open(
                    actor=actor,
                    review=review,
                    owner=followup_owner,
                    due_date=followup_due,
                    concern=notes,
                )
            except FollowUpError as exc:
                raise ChannelError(exc.message, exc.field) from None
        account.next_review_due = today + timedelta(days=selectors.conf("REVIEW_INTERVAL_DAYS"))
        account.save(update_fields=["next_review_due", "updated_at"])
        outcome = "passed" if review.passed else "concerns"
        _event(account, actor, "reviewed", account.status, f"Review {outcome}. {notes}".strip())
        record(
            actor,
            "account.reviewed",
            account,
            account.school,
            {"outcome": outcome, "checks": values, "next_due": account.next_review_due},
        )
        notify(
            selectors.team_of(account),
            "channels.account_reviewed",
            context=_context(account, outcome=outcome, next_due=str(account.next_review_due)),
            link=_link(account),
            school=account.school,
        )
    return review
