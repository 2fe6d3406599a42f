"""Delivery of outbox rows. Tasks take ids and are safe to run twice."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


def queue_delivery(ids: list[int]) -> None:
    """Hand rows to the broker. If the broker is down the rows stay pending for the sweep."""
    for pk in ids:
        try:
            deliver.delay(pk)
        except Exception:  # broker unreachable: nothing is lost, sweep_pending retries
            log.warning("broker unavailable; notification %s left pending for the sweep", pk)


@shared_task(bind=True, max_retries=5)
def deliver(self, notification_id: int) -> None:
    from .delivery import deliver_email

    deliver_email(notification_id)


@shared_task
def sweep_pending() -> int:
    from .delivery import pending_ids

    ids = pending_ids()
    queue_delivery(ids)
    return len(ids)


@shared_task
def send_weekly_digests() -> int:
    from .delivery import send_digests

    return send_digests()
