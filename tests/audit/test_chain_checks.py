"""Clause 6 (monitoring): the chain is checked on a schedule, the result is shown to trust
administrators, and a failure alerts them through the outbox."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from audit import tasks
from audit.models import ChainCheck
from audit.services import chain_verify, record
from config.celery_app import app
from notifications.models import Notification

from .conftest import as_superuser

CHAIN = reverse("audit:chain")
LIST = reverse("audit:list")


@pytest.fixture
def entries(world):
    return [record(None, "test.checked", data={"n": n}) for n in range(3)]


def tamper(entry) -> None:
    as_superuser("UPDATE audit_auditentry SET data = '{\"n\": 42}' WHERE id = %s", [entry.pk])


def test_beat_runs_the_checkpoint_hourly_and_the_whole_check_daily():
    schedule = settings.CELERY_BEAT_SCHEDULE
    checkpoint, verify = schedule["audit-checkpoint"], schedule["audit-verify-chain"]
    assert checkpoint["task"] == "audit.tasks.checkpoint"
    assert checkpoint["schedule"].minute == {5} and len(checkpoint["schedule"].hour) == 24
    assert verify["task"] == "audit.tasks.verify"
    assert verify["schedule"].hour == {3} and verify["schedule"].minute == {40}
    app.loader.import_default_modules()
    assert {"audit.tasks.checkpoint", "audit.tasks.verify"} <= set(app.tasks)


def test_scheduled_check_of_an_intact_chain_is_recorded_without_an_alert(entries):
    assert tasks.verify.delay().get() is True

    check = ChainCheck.objects.get()
    assert check.ok and check.kind == ChainCheck.Kind.FULL
    assert check.last_entry_id == entries[-1].pk and check.checked >= 3
    assert not Notification.objects.filter(kind="audit.chain_broken").exists()


def test_scheduled_check_of_a_broken_chain_alerts_the_trust_administrators_by_email(
    world, entries, django_capture_on_commit_callbacks
):
    tamper(entries[1])

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.verify.delay().get() is False

    check = ChainCheck.objects.get()
    assert not check.ok and check.broken_entry_id == entries[1].pk
    alerts = Notification.objects.filter(kind="audit.chain_broken")
    assert {n.recipient for n in alerts} == {world.trust_admin}
    (message,) = mail.outbox
    assert message.to == [world.trust_admin.email]
    assert message.subject == "The audit log's integrity check failed"
    assert f"content changed: the entry's hash does not match (entry #{entries[1].pk})" in (
        message.body
    )
    assert "Change nothing in the database" in message.body


def test_the_same_fault_alerts_once_a_day(world, entries):
    tamper(entries[1])
    chain_verify()
    chain_verify()
    assert ChainCheck.objects.filter(ok=False).count() == 2
    assert Notification.objects.filter(kind="audit.chain_broken").count() == 1


def test_scheduled_checkpoint_that_finds_a_fault_alerts_too(world, entries, anchor_dir):
    assert tasks.checkpoint.delay().get() == 1
    newer = record(None, "test.checked_later", data={"n": 7})
    tamper(newer)

    assert tasks.checkpoint.delay().get() is None

    alert = Notification.objects.get(kind="audit.chain_broken")
    assert alert.recipient == world.trust_admin
    assert alert.context["entry_id"] == newer.pk


def test_trust_administrators_see_when_the_chain_was_last_verified(entries, client_for):
    chain_verify()
    admin = client_for("trust_admin")

    page = admin.get(LIST)
    status = admin.get(CHAIN)

    assert b'data-chain-status="intact"' in page.content
    assert b"and is intact" in page.content
    assert status.status_code == 200
    assert b"Intact" in status.content and b"Whole chain" in status.content


def test_trust_administrators_see_where_the_chain_broke(entries, client_for):
    tamper(entries[2])
    chain_verify()
    admin = client_for("trust_admin")

    page = admin.get(LIST).content.decode()
    status = admin.get(CHAIN).content.decode()

    assert 'data-chain-status="broken"' in page
    for html in (page, status):
        assert f"(entry #{entries[2].pk})" in html
        assert "content changed" in html


def test_status_page_says_when_no_checkpoints_are_written(entries, client_for, settings):
    settings.AUDIT_ANCHOR_PATH = ""
    assert b"No checkpoints are written" in client_for("trust_admin").get(CHAIN).content


def test_status_page_shows_the_latest_checkpoint(entries, client_for, anchor_dir):
    check = tasks.checkpoint.delay().get() and ChainCheck.objects.get()
    content = client_for("trust_admin").get(CHAIN).content.decode()
    assert "Checkpoint 1, written" in content
    assert check.checkpoint.replace('"', "&quot;") in content


@pytest.mark.parametrize("persona", ["head_a", "trust_hr", "trustee", "teacher_a"])
def test_only_trust_administrators_see_the_chain_checks(entries, client_for, persona):
    chain_verify()
    assert client_for(persona).get(CHAIN).status_code == 403
