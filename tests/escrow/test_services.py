"""The escrow's services: deposit, retrieval (recorded before decryption), the hourly limit,
break-glass, rotation required and the activation gate (issue 5; clauses 4.5c, 5.19)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

import escrow.services as services
from audit.models import AuditEntry
from channels.gates import activation_blockers
from channels.models import OfficialAccount
from escrow.crypto import CryptoError, unseal
from escrow.models import Credential, CredentialVersion, Retrieval, SealedSecret
from escrow.selectors import escrow_gate
from escrow.services import (
    EscrowError,
    RetrievalRefused,
    credential_deposit,
    credential_retrieve,
    secret_context,
)
from notifications.models import Notification

from .factories import PASSWORD, active_account, escrowed_account


def test_owner_deposit_stores_only_ciphertext_and_records_who_not_what(world):
    account = escrowed_account(world)
    credential = Credential.objects.get(account=account)
    version = credential.versions.get()
    assert version.deposited_by == world.teacher_a and version.number == 1
    rows = list(SealedSecret.objects.filter(version=version))
    assert {r.field for r in rows} == {"username", "password", "recovery_codes", "notes"}
    for row in rows:
        assert PASSWORD.encode() not in bytes(row.ciphertext)
    entry = AuditEntry.objects.filter(action="credential.deposited").latest("id")
    assert entry.actor == world.teacher_a
    assert PASSWORD not in str(entry.data) and entry.data["version"] == 1
    assert credential.rotated_at is not None and not credential.rotation_required


def test_deputy_may_deposit_but_a_leader_may_not(world):
    account = active_account(world)
    credential_deposit(actor=world.staff_a, account=account, username="u", password="p")
    with pytest.raises(EscrowError, match="owner or a deputy"):
        credential_deposit(actor=world.leader_a, account=account, username="u", password="p")
    assert CredentialVersion.objects.filter(credential__account=account).count() == 1


def test_missing_password_is_refused_and_nothing_is_stored(world):
    account = active_account(world)
    with pytest.raises(EscrowError, match="password"):
        credential_deposit(actor=world.teacher_a, account=account, username="u", password="")
    assert not CredentialVersion.objects.filter(credential__account=account).exists()


def test_update_supersedes_resets_the_clock_and_clears_rotation_required(world, time_machine):
    time_machine.move_to("2026-01-10 09:00")
    account = escrowed_account(world)
    credential = account.credential
    services.credential_require_rotation(actor=None, credential=credential, reason="test")
    time_machine.move_to("2026-03-01 09:00")
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="new-one")
    credential.refresh_from_db()
    assert not credential.rotation_required and credential.rotation_reason == ""
    assert credential.rotation_due.isoformat() == "2026-05-30"
    old, new = credential.versions.order_by("number")
    assert old.superseded_at is not None and new.superseded_at is None and new.number == 2
    revealed = credential_retrieve(actor=world.leader_a, account=account, reason="check")
    assert revealed.get("password") == "new-one"


def test_leader_retrieves_with_a_record_an_audit_entry_and_the_owner_told(world):
    account = escrowed_account(world)
    revealed = credential_retrieve(actor=world.leader_a, account=account, reason="Owner ill")
    assert revealed.get("password") == PASSWORD
    assert revealed.get("username") == account.login_email
    assert PASSWORD not in repr(revealed)
    retrieval = Retrieval.objects.get(credential__account=account)
    assert retrieval.user == world.leader_a and retrieval.reason == "Owner ill"
    assert not retrieval.break_glass
    entry = AuditEntry.objects.filter(action="credential.retrieved").latest("id")
    assert entry.actor == world.leader_a and entry.data["reason"] == "Owner ill"
    told = Notification.objects.filter(kind="escrow.retrieved")
    assert set(told.values_list("recipient", flat=True)) == {world.teacher_a.pk, world.staff_a.pk}


def test_headteacher_may_retrieve(world):
    account = escrowed_account(world)
    assert credential_retrieve(actor=world.head_a, account=account, reason="x").get("password")


@pytest.mark.parametrize("persona", ["teacher_a", "staff_a", "dsl_a", "leader_b", "trust_hr"])
def test_people_who_are_not_leaders_of_the_school_cannot_retrieve(world, persona):
    account = escrowed_account(world)
    with pytest.raises(EscrowError):
        credential_retrieve(actor=getattr(world, persona), account=account, reason="x")
    assert not Retrieval.objects.exists()


def test_retrieval_without_a_reason_is_refused(world):
    account = escrowed_account(world)
    with pytest.raises(EscrowError, match="why"):
        credential_retrieve(actor=world.leader_a, account=account, reason="  ")
    assert not Retrieval.objects.exists()


def test_trust_admin_break_glass_needs_confirmation_and_tells_the_headteacher(world):
    account = escrowed_account(world)
    with pytest.raises(EscrowError, match="emergency"):
        credential_retrieve(actor=world.trust_admin, account=account, reason="Head away")
    revealed = credential_retrieve(
        actor=world.trust_admin, account=account, reason="Head away", break_glass=True
    )
    assert revealed.get("password") == PASSWORD
    assert Retrieval.objects.get().break_glass
    assert AuditEntry.objects.filter(action="credential.break_glass").exists()
    assert Notification.objects.filter(kind="escrow.break_glass", recipient=world.head_a).exists()


@pytest.mark.parametrize("failing", ["record", "notify"])
def test_when_the_audit_or_notification_write_fails_nothing_is_recorded_or_decrypted(
    world, monkeypatch, failing
):
    account = escrowed_account(world)
    decrypted = []

    def failing_write(*args, **kwargs):
        raise DatabaseError(f"{failing} unavailable")

    def spying_unseal(*args, **kwargs):
        decrypted.append(True)
        return unseal(*args, **kwargs)

    monkeypatch.setattr(services, failing, failing_write)
    monkeypatch.setattr(services, "unseal", spying_unseal)
    with pytest.raises(DatabaseError):
        credential_retrieve(actor=world.leader_a, account=account, reason="x")
    assert decrypted == []
    assert not Retrieval.objects.exists()
    assert not AuditEntry.objects.filter(action="credential.retrieved").exists()
    assert not Notification.objects.filter(kind="escrow.retrieved").exists()


def test_eleventh_retrieval_in_an_hour_is_refused_and_admins_alerted_once(world):
    account = escrowed_account(world)
    for n in range(10):
        credential_retrieve(actor=world.leader_a, account=account, reason=f"r{n}")
    for _ in range(2):
        with pytest.raises(RetrievalRefused, match="10 times"):
            credential_retrieve(actor=world.leader_a, account=account, reason="again")
    assert Retrieval.objects.filter(user=world.leader_a).count() == 10
    alerts = Notification.objects.filter(kind="escrow.rate_limited")
    assert list(alerts.values_list("recipient", flat=True)) == [world.trust_admin.pk]
    assert AuditEntry.objects.filter(action="credential.retrieval_refused").count() == 2
    # Another leader is not limited by the first one's count.
    assert credential_retrieve(actor=world.head_a, account=account, reason="y").get("password")


def test_limit_counts_only_the_last_hour(world, time_machine):
    time_machine.move_to("2026-02-02 09:00")
    account = escrowed_account(world)
    for n in range(10):
        credential_retrieve(actor=world.leader_a, account=account, reason=f"r{n}")
    time_machine.move_to("2026-02-02 10:01")
    assert credential_retrieve(actor=world.leader_a, account=account, reason="later")


def test_ciphertext_moved_to_another_account_does_not_decrypt(world):
    a = escrowed_account(world, password="first-secret-aaaa")
    b = escrowed_account(world, password="second-secret-bbbb")
    va, vb = (CredentialVersion.objects.get(credential__account=x) for x in (a, b))
    pa = SealedSecret.objects.get(version=va, field="password")
    pb = SealedSecret.objects.get(version=vb, field="password")
    for attr in ("key_id", "wrapped_key", "nonce", "ciphertext"):
        setattr(pb, attr, getattr(pa, attr))
    pb.save()
    with pytest.raises(CryptoError):
        credential_retrieve(actor=world.leader_a, account=b, reason="x")
    with pytest.raises(CryptoError):
        unseal(pb.sealed, context=secret_context(vb.credential, vb, "password"))


def test_gate_blocks_activation_until_details_are_escrowed(world):
    account = active_account(world)
    account.status = OfficialAccount.Status.APPROVED
    account.save(update_fields=["status"])
    assert escrow_gate(account) is not None
    assert any("credential escrow" in b for b in activation_blockers(account))
    credential_deposit(actor=world.teacher_a, account=account, username="u", password="p")
    assert escrow_gate(account) is None
    assert not any("escrow" in b for b in activation_blockers(account))
    services.credential_require_rotation(actor=None, credential=account.credential, reason="breach")
    assert "changed" in escrow_gate(account)


def test_yearly_check_by_a_leader_is_recorded(world):
    account = escrowed_account(world)
    credential = services.credential_check_confirm(
        actor=world.leader_a, credential=account.credential
    )
    assert credential.last_checked_by == world.leader_a
    assert AuditEntry.objects.filter(action="credential.checked").exists()
    with pytest.raises(EscrowError):
        services.credential_check_confirm(actor=world.teacher_a, credential=account.credential)


def test_error_reports_hide_the_secret_locals(world, rf):
    """A crash inside deposit must not put the password on an error page or in an email."""
    import sys

    from django.views.debug import ExceptionReporter

    account = active_account(world)
    try:
        credential_deposit(
            actor=world.teacher_a, account=account, username="u", password=PASSWORD, notes=1
        )
    except AttributeError:  # notes.strip() on an int: a crash with the password in scope
        reporter = ExceptionReporter(rf.get("/"), *sys.exc_info())
        page = reporter.get_traceback_html()  # the DEBUG page and the admins' error email
        assert "credential_deposit" in page and "********************" in page
        assert PASSWORD not in page
    else:  # pragma: no cover
        pytest.fail("expected a crash")
