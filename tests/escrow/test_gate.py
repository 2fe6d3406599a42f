"""The activation gate with the real escrow check (issues 4 and 5, 4.5c): an approved account
goes live only once its login details are in escrow, and a suspended one whose password must
change is reinstated only after a new deposit."""

from __future__ import annotations

import pytest

from channels.models import OfficialAccount
from channels.services import ChannelError, account_activate, account_reinstate, account_suspend
from escrow.models import Credential
from escrow.services import credential_deposit, credential_require_rotation
from tests.channels.factories import make_account

S = OfficialAccount.Status


def _approved(world) -> OfficialAccount:
    return make_account(
        world.school_a,
        requested_by=world.teacher_a,
        deputies=[world.staff_a],
        status=S.APPROVED,
        decided_by=world.head_a,
    )


def test_approved_account_goes_live_only_after_its_login_details_are_escrowed(world):
    account = _approved(world)
    with pytest.raises(ChannelError, match="credential escrow"):
        account_activate(actor=world.teacher_a, account=account)
    account.refresh_from_db()
    assert account.status == S.APPROVED
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="p")
    account_activate(actor=world.teacher_a, account=account)
    account.refresh_from_db()
    assert account.status == S.ACTIVE


def test_suspended_account_with_rotation_required_is_reinstated_after_a_new_deposit(world):
    account = _approved(world)
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="p")
    account_activate(actor=world.teacher_a, account=account)
    account_suspend(actor=world.head_a, account=account, reason="A post named a student.")
    credential_require_rotation(
        actor=None, credential=Credential.objects.get(account=account), reason="breach"
    )
    with pytest.raises(ChannelError, match="password must be changed"):
        account_reinstate(actor=world.head_a, account=account)
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="p2")
    account_reinstate(actor=world.head_a, account=account)
    account.refresh_from_db()
    assert account.status == S.ACTIVE
