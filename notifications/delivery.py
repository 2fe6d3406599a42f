"""Email delivery of outbox rows: idempotent (a row is sent at most once) and retried.

`deliver_email` locks the row, sends, and marks it sent in one transaction. A second call for
the same row (the sweep re-queued it, the broker redelivered it) finds it no longer pending
and does nothing; a concurrent one skips the locked row.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .emails import build_digest, build_message
from .models import DigestEmail, Notification

log = logging.getLogger(__name__)

# Errors worth trying again: the relay refused or was unreachable. Anything else (a template
# error, a bug) is not cured by waiting and surfaces at once.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)

MAX_ATTEMPTS = getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 6)
SWEEP_MIN_AGE = timedelta(minutes=1)


class TransientDeliveryError(Exception):
    """Sending failed in a way that may succeed later; the attempt is already recorded."""


def backoff_seconds(attempt: int) -> int:
    """Delay before attempt `attempt + 1`: 30 s, 1, 2, 4, 8 minutes ... capped at an hour."""
    return min(30 * 2 ** max(attempt - 1, 0), 3600)


def deliver_email(notification_id: int) -> str:
    """Send one pending notification. Returns "sent", "not_sent" or "skipped".

    Raises TransientDeliveryError (after recording the attempt) when the relay failed.
    """
    error: BaseException | None = None
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "school")
            .filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING, digest=False)
            .first()
        )
        if n is None:
            return "skipped"
        if n.recipient_id and (not n.recipient.email or not n.recipient.is_active):
            n.email_status = Notification.EmailStatus.NOT_SENT
            n.save(update_fields=["email_status"])
            return "not_sent"
        n.email_attempts += 1
        try:
            build_message(n).send()
        except TRANSIENT_ERRORS as exc:
            error = exc
            n.email_last_error = type(exc).__name__[:100]
            n.email_next_attempt_at = timezone.now() + timedelta(
                seconds=backoff_seconds(n.email_attempts)
            )
            if n.email_attempts >= MAX_ATTEMPTS:
                n.email_status = Notification.EmailStatus.FAILED
            n.save(
                update_fields=[
                    "email_attempts",
                    "email_last_error",
                    "email_next_attempt_at",
                    "email_status",
                ]
            )
        except Exception as exc:
            # A missing template or a bug is not cured by waiting: mark the row failed rather
            # than have the sweep retry it every minute. Support can re-queue it after a fix.
            log.exception("notification %s: email could not be built or sent", notification_id)
            n.email_status = Notification.EmailStatus.FAILED
            n.email_last_error = type(exc).__name__[:100]
            n.save(update_fields=["email_attempts", "email_last_error", "email_status"])
            return "failed"
        else:
            n.email_status = Notification.EmailStatus.SENT
            n.email_sent_at = timezone.now()
            n.email_last_error = ""
            n.email_next_attempt_at = None
            n.save(
                update_fields=[
                    "email_status",
                    "email_attempts",
                    "email_sent_at",
                    "email_last_error",
                    "email_next_attempt_at",
                ]
            )
    if error is not None:
        log.warning(
            "notification %s: email attempt %s failed (%s)",
            notification_id,
            n.email_attempts,
            type(error).__name__,
        )
        if n.email_status == Notification.EmailStatus.FAILED:
            return "failed"
        raise TransientDeliveryError(type(error).__name__) from error
    return "sent"


def mark_failed(notification_id: int) -> None:
    """The task gave up: leave the row visibly failed (still shown in the portal)."""
    Notification.objects.filter(
        pk=notification_id, email_status=Notification.EmailStatus.PENDING
    ).update(email_status=Notification.EmailStatus.FAILED)


def pending_ids(limit: int = 500, min_age: timedelta = SWEEP_MIN_AGE) -> list[int]:
    """Rows the sweep re-queues: pending for longer than `min_age` and not waiting a backoff."""
    now = timezone.now()
    return list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING,
            digest=False,
            created_at__lte=now - min_age,
        )
        .filter(Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- Weekly digest ---------------------------------------------------------------------


def week_start(moment: datetime | None = None) -> date:
    """Monday of the (local) week `moment` falls in."""
    today = timezone.localdate(moment or timezone.now())
    return today - timedelta(days=today.weekday())


def digest_recipient_ids() -> list[int]:
    """People with reminders held for their digest."""
    return list(
        Notification.objects.filter(digest=True, email_status=Notification.EmailStatus.PENDING)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def deliver_digest(user_id: int, week: date) -> str:
    """Send `user_id` their digest for `week`, once. Returns "sent", "skipped" or "empty".

    The DigestEmail row (unique per person and week) is written in the transaction that marks
    the held rows sent, so a second run in the same week finds it and sends nothing.
    Raises TransientDeliveryError when the relay failed; nothing is marked then.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "skipped"
    error: BaseException | None = None
    try:
        with transaction.atomic():
            if DigestEmail.objects.filter(recipient_id=user_id, week_start=week).exists():
                return "skipped"
            held = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("school")
                .filter(
                    recipient_id=user_id,
                    digest=True,
                    email_status=Notification.EmailStatus.PENDING,
                )
                .order_by("created_at", "id")
            )
            if not held:
                return "empty"
            for n in held:
                n.recipient = user
            status = Notification.EmailStatus.NOT_SENT
            if user.email and user.is_active:
                try:
                    build_digest(user, held).send()
                except TRANSIENT_ERRORS as exc:
                    error = exc
                    raise TransientDeliveryError(type(exc).__name__) from exc
                status = Notification.EmailStatus.SENT
            now = timezone.now()
            digest = DigestEmail.objects.create(
                recipient_id=user_id, week_start=week, sent_at=now, item_count=len(held)
            )
            Notification.objects.filter(pk__in=[n.pk for n in held]).update(
                email_status=status,
                email_sent_at=now if status == Notification.EmailStatus.SENT else None,
                email_attempts=1,
                digest_email=digest,
            )
    except IntegrityError:
        return "skipped"  # a concurrent run wrote this week's digest first
    except TransientDeliveryError:
        log.warning("digest for user %s failed (%s)", user_id, type(error).__name__)
        raise
    return "sent"
