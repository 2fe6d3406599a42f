"""The outbox: rows written with the change, delivered once, retried with backoff, swept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import delivery
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import deliver, sweep_pending


def _age(n: Notification, minutes: int = 2) -> None:
    Notification.objects.filter(pk=n.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_notify_writes_a_pending_row_and_emails_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notify([world.teacher_a], "accounts.role_changed", link="/", school=world.school_a)
        assert mail.outbox == []  # nothing leaves before the change commits
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT
    assert n.email_attempts == 1
    assert [m.to for m in mail.outbox] == [[world.teacher_a.email]]


def test_notification_rolls_back_with_the_change_that_caused_it(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([world.teacher_a], "accounts.role_changed")
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()


def test_notify_rejects_an_unregistered_kind(world):
    with pytest.raises(ValueError, match="register it"):
        notify([world.teacher_a], "nobody.registered_this")


def test_notify_skips_inactive_and_duplicate_recipients(world):
    world.teacher_b.is_active = False
    world.teacher_b.save(update_fields=["is_active"])
    created = notify([world.teacher_a, world.teacher_a, world.teacher_b, None], "accounts.leaver")
    assert [n.recipient for n in created] == [world.teacher_a]


def test_same_dedupe_key_twice_gives_one_row(world):
    notify([world.teacher_a], "accounts.leaver", dedupe_key="review:1:2026-12-01")
    again = notify(
        [world.teacher_a, world.leader_a], "accounts.leaver", dedupe_key="review:1:2026-12-01"
    )
    assert [n.recipient for n in again] == [world.leader_a]
    assert Notification.objects.filter(recipient=world.teacher_a).count() == 1


def test_delivering_the_same_row_twice_sends_one_email(world):
    (n,) = notify([world.teacher_a], "accounts.role_changed")
    assert delivery.deliver_email(n.pk) == "sent"
    assert delivery.deliver_email(n.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_sweep_run_twice_sends_one_email(world):
    (n,) = notify([world.teacher_a], "accounts.role_changed")  # on_commit never ran: pending
    _age(n)
    assert sweep_pending() == 1
    assert sweep_pending() == 0
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT


def test_sweep_leaves_rows_younger_than_a_minute_to_the_on_commit_queue(world):
    notify([world.teacher_a], "accounts.role_changed")
    assert sweep_pending() == 0
    assert mail.outbox == []


def test_sweep_ignores_rows_held_for_the_digest(world):
    (n,) = notify([world.teacher_a], "accounts.role_changed")
    Notification.objects.filter(pk=n.pk).update(digest=True)
    _age(n)
    assert sweep_pending() == 0


@pytest.fixture
def worker_like_retries(monkeypatch):
    """Eager retries behave as a worker's: the Retry is not raised to the caller."""
    from config.celery_app import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_relay_error_is_retried_with_backoff_then_sent_once(
    world, flaky_relay, worker_like_retries
):
    relay = flaky_relay(2)
    (n,) = notify([world.teacher_a], "accounts.role_changed")
    # Eager mode runs the retries at once; countdowns are checked below on the row.
    deliver.apply(args=[n.pk])
    n.refresh_from_db()
    assert relay.calls == 3
    assert n.email_status == Notification.EmailStatus.SENT
    assert n.email_attempts == 3
    assert len(mail.outbox) == 1


def test_failed_attempt_records_backoff_and_the_sweep_waits_for_it(world, flaky_relay):
    flaky_relay(1)
    (n,) = notify([world.teacher_a], "accounts.role_changed")
    _age(n)
    with pytest.raises(delivery.TransientDeliveryError):
        delivery.deliver_email(n.pk)
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.PENDING
    assert n.email_last_error == "SMTPServerDisconnected"
    assert n.email_next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert sweep_pending() == 0  # still inside its backoff
    Notification.objects.filter(pk=n.pk).update(email_next_attempt_at=timezone.now())
    assert sweep_pending() == 1
    assert len(mail.outbox) == 1


def test_backoff_doubles_and_is_capped():
    assert [delivery.backoff_seconds(a) for a in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff_seconds(50) == 3600


def test_row_is_marked_failed_after_max_attempts(world, flaky_relay, worker_like_retries):
    relay = flaky_relay(100)
    (n,) = notify([world.teacher_a], "accounts.role_changed")
    result = deliver.apply(args=[n.pk])
    n.refresh_from_db()
    assert result.get() == "failed"
    assert relay.calls == delivery.MAX_ATTEMPTS
    assert n.email_status == Notification.EmailStatus.FAILED
    assert n.email_attempts == delivery.MAX_ATTEMPTS
    assert mail.outbox == []
    _age(n)
    assert sweep_pending() == 0  # failed rows are not retried for ever


def test_recipient_deactivated_before_delivery_gets_no_email(world):
    (n,) = notify([world.teacher_a], "accounts.role_changed")
    world.teacher_a.is_active = False
    world.teacher_a.save(update_fields=["is_active"])
    assert delivery.deliver_email(n.pk) == "not_sent"
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.NOT_SENT
    assert mail.outbox == []


def test_broker_error_on_queue_leaves_rows_pending_and_stops_early(world, monkeypatch):
    from kombu.exceptions import OperationalError

    from notifications import tasks

    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver, "apply_async", down)
    rows = notify([world.teacher_a, world.leader_a, world.head_a], "accounts.leaver")
    assert tasks.queue_delivery([n.pk for n in rows]) == 0
    assert len(calls) == 1  # the first failure stops the loop: the sweep has the rest
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}


def test_row_whose_email_cannot_be_built_is_marked_failed_not_retried_for_ever(world, monkeypatch):
    from notifications.kinds import KINDS, Kind

    monkeypatch.setitem(KINDS, "tests.no_templates", Kind("No templates"))
    (n,) = notify([world.teacher_a], "tests.no_templates")
    assert delivery.deliver_email(n.pk) == "failed"
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.FAILED
    assert n.email_last_error == "TemplateDoesNotExist"
    _age(n)
    assert sweep_pending() == 0


def test_row_of_a_kind_no_longer_registered_is_sent_as_a_bare_pointer(world):
    (n,) = notify([world.teacher_a], "accounts.role_changed", context={"role_label": "Leader"})
    Notification.objects.filter(pk=n.pk).update(kind="retired.kind")
    assert delivery.deliver_email(n.pk) == "sent"
    (message,) = mail.outbox
    assert "needs your attention" in message.body
    assert "Leader" not in message.body


def test_requeue_sends_a_failed_email_again_and_is_audited(
    world, django_capture_on_commit_callbacks
):
    from audit.models import AuditEntry
    from notifications.services import notifications_requeue

    failed, sent = notify([world.teacher_a, world.leader_a], "accounts.role_changed")
    Notification.objects.filter(pk=failed.pk).update(email_status="failed", email_attempts=6)
    Notification.objects.filter(pk=sent.pk).update(email_status="sent")
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_requeue(world.trust_admin, [failed.pk, sent.pk]) == 1
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [[world.teacher_a.email]]
    assert AuditEntry.objects.filter(action="notifications.requeued").count() == 1
