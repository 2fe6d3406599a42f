"""Registering an official account and asking for approval (4.2)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import School, User
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record
from notifications.services import notify

from .. import selectors
from ..models import (
    OfficialAccount,
)
from .checks import (
    ACCOUNT_FIELDS,
    ChannelError,
    Status,
    _check_attestations,
    _check_registration,
    _check_team,
    _context,
    _event,
    _link,
    _lock,
    normalise_handle,
    normalise_url,
)


def account_register(
    *,
    actor: User,
    school: School,
    owner: User,
    deputies: list[User],
    data: dict[str, Any],
) -> OfficialAccount:
    """A teacher records a new account as a draft (4.2). Checked again on submission."""
    if not user_has_school_perm(actor, Perm.REGISTER_CHANNEL, school):
        raise ChannelError(f"You cannot register accounts for {school.name}.", "school")
    account = OfficialAccount(school=school, owner=owner, requested_by=actor)
    for f in ACCOUNT_FIELDS:
        if f in data:
            setattr(account, f, data[f])
    if not account.platform.is_active:
        raise ChannelError("That platform is no longer accepted for new accounts.", "platform")
    _check_team(school, owner, deputies)
    _check_registration(account)
    account.handle_key = normalise_handle(account.handle)
    account.url_key = normalise_url(account.url)
    with transaction.atomic():
        account.save()
        account.deputies.set(deputies)
        _event(account, actor, "registered", "")
        record(actor, "account.registered", account, school, {"platform": account.platform.name})
    return account


def account_update(
    *, actor: User, account: OfficialAccount, owner: User, deputies: list[User], data: dict
) -> OfficialAccount:
    """Change a draft, or a registration a leader sent back for changes."""
    with transaction.atomic():
        _lock(account)
        if account.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
            raise ChannelError(
                "Only a draft or a registration sent back for changes can be edited."
            )
        if not selectors.is_involved(actor, account):
            raise ChannelError(
                "Only the person who registered the account or its team can edit it."
            )
        changed = []
        for f in ACCOUNT_FIELDS:
            if f in data and getattr(account, f) != data[f]:
                setattr(account, f, data[f])
                changed.append(f)
        _check_team(account.school, owner, deputies)
        if owner.pk != account.owner_id:
            changed.append("owner")
        account.owner = owner
        _check_registration(account)
        account.handle_key = normalise_handle(account.handle)
        account.url_key = normalise_url(account.url)
        account.save()
        account.deputies.set(deputies)
        _event(account, actor, "updated", account.status)
        record(actor, "account.updated", account, account.school, {"changed": changed})
    return account


def account_submit(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """Send the registration to the school's leaders for approval (4.2, 4.5b)."""
    with transaction.atomic():
        _lock(account)
        if account.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
            raise ChannelError("Only a draft or a registration sent back for changes is submitted.")
        if not selectors.is_involved(actor, account):
            raise ChannelError("Only the person who registered the account or its team submit it.")
        _check_registration(account)
        _check_attestations(account)
        approvers = list(selectors.approvers_of(account))
        if not approvers:
            raise ChannelError(
                f"Nobody at {account.school.name} can approve this account: a leader or the "
                "headteacher who is not part of the account's team is needed."
            )
        before = account.status
        account.status = Status.SUBMITTED
        account.submitted_at = timezone.now()
        account.save(update_fields=["status", "submitted_at", "updated_at"])
        _event(account, actor, "submitted", before)
        record(actor, "account.submitted", account, account.school)
        notify(
            approvers,
            "channels.account_submitted",
            context=_context(account, requester=actor.get_full_name()),
            link=_link(account),
            school=account.school,
        )
    return account
