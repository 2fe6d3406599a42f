"""Accounts of leavers and their handover (5.13)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from audit.services import record
from notifications.services import notify

from .. import selectors
from ..models import (
    OfficialAccount,
)
from .checks import ChannelError, Status, _check_team, _context, _event, _link, _lock


def accounts_flag_leaver(*, actor: User | None, user: User) -> list[OfficialAccount]:
    """The owner or a deputy left: their accounts need a new owner and the leaders are told.

    A leaving deputy stops being a deputy at once; a leaving owner stays named until a leader
    hands the account over, so the account always shows who held it.
    """
    with transaction.atomic():
        accounts = list(
            OfficialAccount.objects.select_for_update(of=("self",))
            .filter(Q(owner=user) | Q(pk__in=selectors._deputy_of(user)))
            .exclude(status__in=[Status.CLOSED, Status.REJECTED])
            .select_related("school", "platform")
        )
        for account in accounts:
            role = "owner" if account.owner_id == user.pk else "deputy"
            account.deputies.remove(user)
            account.needs_new_owner = True
            account.save(update_fields=["needs_new_owner", "updated_at"])
            _event(
                account,
                actor,
                "needs_new_owner",
                account.status,
                f"{user.get_full_name()} ({role}) has left.",
            )
            record(
                actor,
                "account.needs_new_owner",
                account,
                account.school,
                {"leaver_id": user.pk, "role": role},
            )
            notify(
                selectors.leaders_of(account.school_id),
                "channels.needs_new_owner",
                context=_context(account, leaver=user.get_full_name(), role=role),
                link=_link(account),
                school=account.school,
                dedupe_key=f"channels.needs_new_owner:{account.pk}:{user.pk}",
            )
    return accounts


def account_handover(
    *, actor: User, account: OfficialAccount, owner: User, deputies: list[User], note: str = ""
) -> OfficialAccount:
    """A leader hands the account to other members of staff (5.13). The login details must
    then be changed and escrowed again (4.5c); the new team is told so."""
    with transaction.atomic():
        _lock(account)
        if account.status in (Status.CLOSED, Status.REJECTED):
            raise ChannelError("A closed or rejected account cannot be handed over.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher hands an account over.")
        _check_team(account.school, owner, deputies)
        before_owner = account.owner_id
        before_deputies = sorted(account.deputies.values_list("pk", flat=True))
        account.owner = owner
        account.needs_new_owner = False
        account.save(update_fields=["owner", "needs_new_owner", "updated_at"])
        account.deputies.set(deputies)
        _event(
            account,
            actor,
            "handed_over",
            account.status,
            f"Owner: {owner.get_full_name()}; deputies: "
            + ", ".join(d.get_full_name() for d in deputies)
            + (f". {note.strip()}" if note.strip() else ""),
        )
        record(
            actor,
            "account.handed_over",
            account,
            account.school,
            {
                "from_owner_id": before_owner,
                "to_owner_id": owner.pk,
                "from_deputy_ids": before_deputies,
                "to_deputy_ids": sorted(d.pk for d in deputies),
            },
        )
        notify(
            [owner, *deputies],
            "channels.account_handed_over",
            context=_context(account, owner=owner.get_full_name()),
            link=_link(account),
            school=account.school,
        )
    return account
