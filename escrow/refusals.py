"""Every refused retrieval of login details is audited (4.5c; issue 14): also the 403 of a
person of the school who may see the account's escrow page but not retrieve from it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from audit.services import record
from channels.models import OfficialAccount

NOT_ALLOWED = "Only the school's leaders and headteacher can retrieve login details."


def retrieval_refuse(*, actor: User, account: OfficialAccount, why: str = "not allowed") -> None:
    """Record the refusal (`credential.retrieval_refused`, committed on its own) and raise the
    403 the person sees."""
    with transaction.atomic():
        record(
            actor,
            "credential.retrieval_refused",
            account,
            account.school_id,
            {"account_id": account.pk, "why": why},
        )
    raise PermissionDenied(NOT_ALLOWED)
