"""What the case handlers do about the official account a report names (7.3 with 4.5c, 4.5d;
issues 14 and 15).

A report changes nothing on the account by itself: the account's owner or deputies may be the
people reported, and must not learn of it. The handlers decide when to act, from the case
page, and each action is an entry in the case's chronology:

- `case_account_rotation_start`: the login details must be changed (5.19). The escrow plugs in
  through `signals.case_action_recorded` ("credentials_rotated") and tells the account's team with a
  reason that names no case.
- `case_account_review_start`: the account's review (4.5d) falls due today
  (`channels.review_requests`); its history says only when it is due.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import record
from channels.models import OfficialAccount
from channels.review_requests import ReviewRequestError, account_review_bring_forward

from .models import BreachCase, CaseEntry
from .services import BreachError, _entry, _require_handler
from .signals import case_action_recorded

Action = CaseEntry.Action


def _named_account(actor, case: BreachCase) -> OfficialAccount:
    _require_handler(actor, case)
    if case.status == BreachCase.Status.CLOSED:
        raise BreachError("A closed case takes no more entries.")
    account = OfficialAccount.objects.select_related("platform").filter(pk=case.account_id).first()
    if account is None:
        raise BreachError("This case names no official account.")
    return account


def case_account_rotation_start(*, actor, case: BreachCase) -> CaseEntry:
    """The handlers ask for the named account's login details to be changed (5.19)."""
    account = _named_account(actor, case)
    with transaction.atomic():
        entry = _entry(
            case,
            actor,
            CaseEntry.Kind.ACTION,
            f"Password rotation started for {account}: its team must deposit new login details.",
            Action.CREDENTIALS_ROTATED,
        )
        record(
            actor,
            "breach.account_rotation_started",
            case,
            case.school_id,
            {"account_id": account.pk, "entry_id": entry.pk},
        )
        case_action_recorded.send(
            sender=BreachCase, case=case, action=Action.CREDENTIALS_ROTATED, actor=actor
        )
    return entry


def case_account_review_start(*, actor, case: BreachCase) -> CaseEntry:
    """The handlers start a review of the named account (4.5d): it falls due today."""
    account = _named_account(actor, case)
    with transaction.atomic():
        try:
            account = account_review_bring_forward(actor=actor, account=account)
        except ReviewRequestError as exc:
            raise BreachError(str(exc)) from None
        entry = _entry(
            case,
            actor,
            CaseEntry.Kind.ACTION,
            f"Review of {account} started: due {account.next_review_due:%d/%m/%Y}.",
            Action.ACCOUNT_REVIEW,
        )
        record(
            actor,
            "breach.account_review_started",
            case,
            case.school_id,
            {"account_id": account.pk, "entry_id": entry.pk},
        )
    return entry
