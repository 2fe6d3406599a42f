"""Going live and after: activation, suspension, reinstatement, closing (4.5b, 4.5c)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record
from notifications.services import notify

from .. import selectors
from ..gates import activation_blockers
from ..models import (
    OfficialAccount,
)
from .checks import ChannelError, Status, _context, _event, _link, _lock


def _go_live(actor: User, account: OfficialAccount, action: str, kind: str) -> OfficialAccount:
    blockers = activation_blockers(account)
    if blockers:
        raise ChannelError(" ".join(blockers))
    before = account.status
    account.status = Status.ACTIVE
    fields = ["status", "updated_at"]
    if account.activated_at is None:
        account.activated_at = timezone.now()
        fields.append("activated_at")
    if account.next_review_due is None:
        account.next_review_due = timezone.localdate() + timedelta(
            days=selectors.conf("REVIEW_INTERVAL_DAYS")
        )
        fields.append("next_review_due")
    account.save(update_fields=fields)
    _event(account, actor, action, before)
    record(actor, f"account.{action}", account, account.school)
    notify(
        selectors.team_of(account),
        kind,
        context=_context(account),
        link=_link(account),
        school=account.school,
    )
    return account


def account_activate(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """The approved account goes live, once every gate is passed (4.5b, 4.5c: gates.py)."""
    with transaction.atomic():
        _lock(account)
        if account.status != Status.APPROVED:
            raise ChannelError("Only an approved account can be activated.")
        if not (
            selectors.is_on_team(actor, account) or selectors.is_leader_of(actor, account.school_id)
        ):
            raise ChannelError("Only the account's team or a leader of the school activates it.")
        return _go_live(actor, account, "activated", "channels.account_activated")


def account_suspend(*, actor: User, account: OfficialAccount, reason: str) -> OfficialAccount:
    """A leader takes an active account out of use, e.g. after a review (4.5d)."""
    with transaction.atomic():
        _lock(account)
        if account.status != Status.ACTIVE:
            raise ChannelError("Only an active account can be suspended.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher suspends an account.")
        reason = (reason or "").strip()
        if not reason:
            raise ChannelError("Give a reason for the suspension.", "reason")
        account.status = Status.SUSPENDED
        account.save(update_fields=["status", "updated_at"])
        _event(account, actor, "suspended", Status.ACTIVE, reason)
        record(actor, "account.suspended", account, account.school, {"reason": reason})
        notify(
            selectors.team_of(account),
            "channels.account_suspended",
            context=_context(account, reason=reason),
            link=_link(account),
            school=account.school,
        )
    return account


def account_reinstate(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """A leader puts a suspended account back in use, through the same gate (gates.py)."""
    with transaction.atomic():
        _lock(account)
        if account.status != Status.SUSPENDED:
            raise ChannelError("Only a suspended account can be reinstated.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher reinstates an account.")
        return _go_live(actor, account, "reinstated", "channels.account_reinstated")


def account_close(*, actor: User, account: OfficialAccount, reason: str) -> OfficialAccount:
    """The account is no longer used; it leaves the public register (4.1)."""
    with transaction.atomic():
        _lock(account)
        if account.status in (Status.CLOSED, Status.REJECTED):
            raise ChannelError("This account is already closed.")
        if not (selectors.is_leader_of(actor, account.school_id) or actor.pk == account.owner_id):
            raise ChannelError("Only the owner or a leader of the school closes an account.")
        reason = (reason or "").strip()
        if not reason:
            raise ChannelError("Say why the account is closed.", "reason")
        before = account.status
        account.status = Status.CLOSED
        account.needs_new_owner = False
        account.save(update_fields=["status", "needs_new_owner", "updated_at"])
        _event(account, actor, "closed", before, reason)
        record(actor, "account.closed", account, account.school, {"reason": reason})
        notify(
            [*selectors.team_of(account), *selectors.leaders_of(account.school_id)],
            "channels.account_closed",
            context=_context(account, reason=reason),
            link=_link(account),
            school=account.school,
        )
    return account
