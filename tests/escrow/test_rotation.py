"""Rotation (5.19): "rotation required" set by leavers, role loss and the case handlers
(never by a report alone), cleared only by a new deposit; reminders once per due date; old
versions destroyed; key rotation with `manage.py rotate_credential_keys`."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.roles import SchoolRole
from accounts.services import role_remove, user_deactivate
from breaches.services import case_record_action
from escrow.crypto import CryptoError, keyring
from escrow.models import Credential, SealedSecret
from escrow.services import (
    credential_deposit,
    credential_retrieve,
    destroy_old_versions,
    send_rotation_reminders,
)
from escrow.tasks import send_reminders
from notifications.models import Notification
from tests.breaches.factories import report

from .factories import PASSWORD, escrowed_account


def _required(account) -> bool:
    return Credential.objects.get(account=account).rotation_required


def test_retriever_who_leaves_makes_rotation_required(world):
    account = escrowed_account(world)
    other = escrowed_account(world)
    credential_retrieve(actor=world.leader_a, account=account, reason="x")
    user_deactivate(world.trust_admin, world.leader_a, "Left the school")
    assert _required(account) and not _required(other)
    assert "has left" in Credential.objects.get(account=account).rotation_reason
    assert Notification.objects.filter(
        kind="escrow.rotation_required", recipient=world.teacher_a
    ).exists()


def test_owner_who_leaves_makes_rotation_required(world):
    account = escrowed_account(world)
    user_deactivate(world.trust_admin, world.teacher_a, "Left")
    assert _required(account)


def test_retriever_losing_their_role_at_that_school_makes_rotation_required(world):
    account = escrowed_account(world)
    credential_retrieve(actor=world.leader_a, account=account, reason="x")
    role_remove(actor=world.trust_admin, user=world.leader_a, school=world.school_b, role="leader")
    assert not _required(account)  # no role at school B: nothing changes here
    role_remove(
        actor=world.trust_admin, user=world.leader_a, school=world.school_a, role=SchoolRole.LEADER
    )
    assert _required(account)


def test_breach_report_naming_the_account_changes_nothing_until_the_handlers_act(world):
    # Issue 14: the owner may be the person reported; the handlers decide when to rotate.
    from breaches.account_actions import case_account_rotation_start

    account = escrowed_account(world)
    case = report(world, category="inappropriate_comment", account=account)
    assert not _required(account)
    assert not Notification.objects.filter(kind="escrow.rotation_required").exists()
    case_account_rotation_start(actor=world.head_a, case=case)
    assert _required(account)
    credential = Credential.objects.get(account=account)
    assert "report" not in credential.rotation_reason and "breach" not in credential.rotation_reason


def test_breach_action_credentials_rotated_makes_rotation_required_and_deposit_clears(world):
    account = escrowed_account(world)
    case = report(world)
    case.account = account
    case.save(update_fields=["account"])
    case_record_action(actor=world.head_a, case=case, action="content_removed")
    assert not _required(account)
    case_record_action(actor=world.head_a, case=case, action="credentials_rotated")
    assert _required(account)
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="new")
    assert not _required(account)


def _kinds(user):
    return list(
        Notification.objects.filter(recipient=user, kind__startswith="escrow.rotation")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_rotation_reminders_go_once_per_due_date_however_often_the_task_runs(world, time_machine):
    time_machine.move_to("2026-01-05 08:00")
    account = escrowed_account(world)  # due 2026-04-05 (90 days)
    for day in ("2026-03-01", "2026-03-21"):  # before the 14-day window
        time_machine.move_to(f"{day} 07:25")
        send_reminders()
    assert _kinds(world.teacher_a) == []
    for day in ("2026-03-22", "2026-03-22", "2026-03-30", "2026-04-04"):
        time_machine.move_to(f"{day} 07:25")
        send_reminders()
    assert _kinds(world.teacher_a) == ["escrow.rotation_due"]
    assert _kinds(world.leader_a) == []
    for day in ("2026-04-05", "2026-04-06", "2026-05-01"):
        time_machine.move_to(f"{day} 07:25")
        send_rotation_reminders()
    assert _kinds(world.teacher_a) == ["escrow.rotation_due", "escrow.rotation_overdue"]
    assert _kinds(world.leader_a) == ["escrow.rotation_overdue"]  # leaders see overdue ones
    # A new deposit moves the due date: the next cycle reminds again, once.
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="p2")
    time_machine.move_to("2026-07-20 07:25")
    send_reminders()
    send_reminders()
    assert _kinds(world.teacher_a).count("escrow.rotation_due") == 2


def test_yearly_check_reminder_goes_to_leaders_once(world, time_machine):
    time_machine.move_to("2026-01-05 08:00")
    account = escrowed_account(world)
    Credential.objects.filter(account=account).update(rotation_interval_days=1000)
    time_machine.move_to("2026-12-25 08:00")
    send_reminders()
    send_reminders()
    assert (
        Notification.objects.filter(kind="escrow.check_due", recipient=world.leader_a).count() == 1
    )


@override_settings(ESCROW_KEEP_OLD_DAYS=30)
def test_old_versions_are_destroyed_after_the_keep_period(world, time_machine):
    time_machine.move_to("2026-01-05 08:00")
    account = escrowed_account(world)
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="p2")
    old, new = account.credential.versions.order_by("number")
    time_machine.move_to("2026-02-03 08:00")
    assert destroy_old_versions() == 0
    time_machine.move_to("2026-02-05 08:00")
    assert destroy_old_versions() == 1
    assert destroy_old_versions() == 0
    old.refresh_from_db()
    assert old.destroyed_at is not None and not SealedSecret.objects.filter(version=old).exists()
    assert SealedSecret.objects.filter(version=new).exists()
    assert (
        credential_retrieve(actor=world.leader_a, account=account, reason="x").get("password")
        == "p2"
    )


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_rotate_credential_keys_then_old_key_removed_everything_still_decrypts(world, capsys):
    old, new = f"old1:{_key()}", f"new1:{_key()}"
    with override_settings(CREDENTIAL_KEYS=old, CREDENTIAL_KEYS_FILE=""):
        account = escrowed_account(world)
        assert set(SealedSecret.objects.values_list("key_id", flat=True)) == {"old1"}
    with override_settings(CREDENTIAL_KEYS=f"{new},{old}", CREDENTIAL_KEYS_FILE=""):
        assert keyring().current_id == "new1"
        call_command("rotate_credential_keys")
        call_command("rotate_credential_keys")  # safe to re-run
        out = capsys.readouterr().out
        assert "Rewrapped 4" in out and "Rewrapped 0" in out
    with override_settings(CREDENTIAL_KEYS=new, CREDENTIAL_KEYS_FILE=""):
        assert set(SealedSecret.objects.values_list("key_id", flat=True)) == {"new1"}
        revealed = credential_retrieve(actor=world.leader_a, account=account, reason="x")
        assert revealed.get("password") == PASSWORD
    with (
        override_settings(CREDENTIAL_KEYS=old, CREDENTIAL_KEYS_FILE=""),
        pytest.raises(CryptoError, match="not configured"),
    ):
        credential_retrieve(actor=world.head_a, account=account, reason="x")


def test_deputy_who_deposited_and_leaves_makes_rotation_required(world):
    account = escrowed_account(world)
    credential_deposit(actor=world.staff_a, account=account, username="u", password="p2")
    user_deactivate(world.trust_admin, world.staff_a, "Left")
    assert _required(account)


def test_leaver_who_never_knew_the_details_changes_nothing(world):
    account = escrowed_account(world)
    user_deactivate(world.trust_admin, world.dsl_a, "Left")
    assert not _required(account)


def test_rotate_keys_command_fails_loudly_when_a_protecting_key_is_missing(world):
    with override_settings(CREDENTIAL_KEYS=f"gone:{_key()}", CREDENTIAL_KEYS_FILE=""):
        escrowed_account(world)
    with (
        override_settings(CREDENTIAL_KEYS=f"fresh:{_key()}", CREDENTIAL_KEYS_FILE=""),
        pytest.raises(CommandError, match="not configured"),
    ):
        call_command("rotate_credential_keys")
    assert set(SealedSecret.objects.values_list("key_id", flat=True)) == {"gone"}
