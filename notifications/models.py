"""Notifications as a transactional outbox: the row is written in the same transaction as the
change that causes it, then delivered by Celery (email) and shown in the portal (bell)."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NOT_SENT = "not_sent", "Portal only"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    # Context for the templates: identifiers and labels, never secrets or confidential content.
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True)
    school = models.ForeignKey(
        "accounts.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Reminders: one per (recipient, key); a second notify with the same key is a no-op.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.BooleanField(
        default=False, help_text="Held for the recipient's weekly digest instead of sent at once."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notification_dedupe",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_unread_idx"),
            models.Index(
                fields=["email_status", "created_at"],
                condition=models.Q(email_status="pending"),
                name="notif_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
