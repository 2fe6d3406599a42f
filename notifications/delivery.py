"""Email delivery of outbox rows: idempotent (a row is sent at most once)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .kinds import KINDS
from .models import Notification


def deliver_email(notification_id: int) -> bool:
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING)
            .first()
        )
        if n is None:
            return False
        kind = KINDS[n.kind]
        link = settings.SITE_URL + n.link if n.link else settings.SITE_URL
        send_mail(kind.subject, f"{kind.subject}\n\n{link}\n", None, [n.recipient.email])
        n.email_status = Notification.EmailStatus.SENT
        n.email_attempts += 1
        n.email_sent_at = timezone.now()
        n.save(update_fields=["email_status", "email_attempts", "email_sent_at"])
    return True


def pending_ids(limit: int = 500) -> list[int]:
    return list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING, digest=False)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def send_digests() -> int:
    return 0
