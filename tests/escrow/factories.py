"""Escrow test data: an active official account of school A run by teacher_a (owner) and
staff_a (deputy), with login details deposited through the real service."""

from __future__ import annotations

from channels.models import OfficialAccount
from escrow.services import credential_deposit
from tests.channels.factories import make_account

PASSWORD = "Pa55-word-for-tests-only"


def active_account(world, school: str = "a", **kw) -> OfficialAccount:
    owner = getattr(world, f"teacher_{school}")
    return make_account(
        getattr(world, f"school_{school}"),
        requested_by=owner,
        owner=owner,
        deputies=[getattr(world, f"staff_{school}")],
        status=OfficialAccount.Status.ACTIVE,
        decided_by=getattr(world, f"head_{school}"),
        **kw,
    )


def escrowed_account(world, school: str = "a", password: str = PASSWORD) -> OfficialAccount:
    account = active_account(world, school)
    credential_deposit(
        actor=account.owner,
        account=account,
        username=account.login_email,
        password=password,
        recovery_codes="1111-2222 3333-4444",
        notes="Codes go to the office phone.",
    )
    return account
