"""Delivery of outbox rows. Tasks take ids and are safe to run twice (STYLE.md, Tasks)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import Retry
from kombu.exceptions import OperationalError

from .delivery import MAX_ATTEMPTS, TransientDeliveryError, backoff_seconds

log = logging.getLogger(__name__)

# Publishing from a web request must fail fast when the broker is down: the row is already
# committed and the sweep delivers it later. One quick retry covers a pooled connection that
# went stale when the broker restarted.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
BROKER_DOWN = (OperationalError, ConnectionError, OSError)


def queue_delivery(ids: list[int]) -> int:
    """Hand rows to the broker; returns how many were queued.

    If the broker is down the rows stay pending for `sweep_pending`; the first failure stops
    the loop so a request with many recipients does not wait once per row.
    """
    queued = 0
    for pk in ids:
        try:
            deliver.apply_async((pk,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except BROKER_DOWN as exc:
            log.warning(
                "broker unavailable (%s); %s notification(s) left pending for the sweep",
                type(exc).__name__,
                len(ids) - queued,
            )
            break
        except Retry:
            # Eager mode only: the relay failed and the attempt is recorded with its backoff;
            # the sweep sends it when the backoff has passed.
            log.warning("notification %s: email failed, left for the sweep", pk)
        except Exception:
            # Eager mode (dev, tests) runs the task here; a bug in one email must not undo a
            # change that has already committed. The row stays pending and visible.
            log.exception("delivering notification %s failed", pk)
        queued += 1
    return queued


# Rows written in bulk (a school's consent round: thousands of carers) are handed to the
# broker in batches of this many: one publish per batch from the request, the fan-out to one
# task per row happens in a worker.
BATCH_SIZE = 500


def queue_batches(ids: list[int]) -> int:
    """Hand many rows to the broker as `deliver_many` batches; returns how many rows were
    queued. A broker that is down leaves the rest pending for `sweep_pending`."""
    queued = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        try:
            deliver_many.apply_async((chunk,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except BROKER_DOWN as exc:
            log.warning(
                "broker unavailable (%s); %s notification(s) left pending for the sweep",
                type(exc).__name__,
                len(ids) - queued,
            )
            break
        queued += len(chunk)
    return queued


@shared_task(acks_late=True, ignore_result=True)
def deliver_many(ids: list[int]) -> int:
    """A batch of rows, one `deliver` task each (safe to run twice: delivery skips rows that
    are no longer pending)."""
    return queue_delivery(list(ids))


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True, ignore_result=True)
def deliver(self, notification_id: int) -> str:
    """Email one notification; on a relay error retry with exponential backoff."""
    from .delivery import deliver_email

    try:
        return deliver_email(notification_id)
    except TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries + 1)) from exc


@shared_task(ignore_result=True)
def sweep_pending(min_age_seconds: int = 60) -> int:
    """Beat, every minute: re-queue rows left pending (the broker was down at commit, a worker
    died mid-task, a retry was lost). Safe to run twice: delivery skips rows already sent."""
    from datetime import timedelta

    from .delivery import pending_ids

    ids = pending_ids(min_age=timedelta(seconds=min_age_seconds))
    return queue_delivery(ids) if ids else 0


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, acks_late=True, ignore_result=True)
def deliver_digest(self, user_id: int, week: str) -> str:
    """One person's weekly digest (at most one per week, see delivery.deliver_digest)."""
    from datetime import date

    from .delivery import deliver_digest as send

    try:
        return send(user_id, date.fromisoformat(week))
    except TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries + 1)) from exc


@shared_task(ignore_result=True)
def send_weekly_digests() -> int:
    """Beat, Mondays 07:00: one digest task per person with held reminders."""
    from .delivery import digest_recipient_ids, week_start

    week = week_start().isoformat()
    count = 0
    for user_id in digest_recipient_ids():
        try:
            deliver_digest.apply_async(
                (user_id, week), retry=True, retry_policy=PUBLISH_RETRY_POLICY
            )
        except BROKER_DOWN:
            log.warning("broker unavailable; digests wait for the next run")
            break
        except Exception:
            log.exception("digest for user %s failed", user_id)
        count += 1
    return count
