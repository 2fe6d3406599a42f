"""Leaders' decisions on requested accounts (4.2, 4.5b)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record
from notifications.services import notify

from .. import selectors
from ..models import (
    OfficialAccount,
)
from .checks import ChannelError, Status, _context, _event, _link, _lock


def _decide(
    actor: User, account: OfficialAccount, to_status: str, reason: str, action: str, kind: str
) -> OfficialAccount:
    with transaction.atomic():
        _lock(account)
        if account.status != Status.SUBMITTED:
            raise ChannelError("This account is not waiting for a decision.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher of the school decides.")
        if selectors.is_involved(actor, account):
            raise ChannelError(
                "You requested or administer this account, so another leader must decide (4.2)."
            )
        reason = (reason or "").strip()
        if to_status != Status.APPROVED and not reason:
            raise ChannelError("Give a reason, so the requester knows what to do.", "reason")
        before = account.status
        account.status = to_status
        account.decided_at = timezone.now()
        account.decided_by = actor
        account.decision_reason = reason
        account.save(
            update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"]
        )
        _event(account, actor, action, before, reason)
        record(actor, f"account.{action}", account, account.school, {"reason": reason})
        notify(
            [account.requested_by, *selectors.team_of(account)],
            kind,
            context=_context(account, reason=reason, decided_by=actor.get_full_name()),
            link=_link(account),
            school=account.school,
        )
    return account


def account_approve(*, actor: User, account: OfficialAccount, reason: str = "") -> OfficialAccount:
    """A leader of the school, not involved in the account, authorises it (4.2, 4.5b)."""
    return _decide(actor, account, Status.APPROVED, reason, "approved", "channels.account_approved")


def account_reject(*, actor: User, account: OfficialAccount, reason: str) -> OfficialAccount:
    """A leader refuses the account, with a reason (4.2: no sites for trivial reasons)."""
    return _decide(actor, account, Status.REJECTED, reason, "rejected", "channels.account_rejected")


def account_request_changes(
    *, actor: User, account: OfficialAccount, reason: str
) -> OfficialAccount:
    """A leader sends the registration back to the requester with what to change (4.2)."""
    return _decide(
        actor,
        account,
        Status.CHANGES_REQUESTED,
        reason,
        "changes_requested",
        "channels.changes_requested",
    )
