"""Notifications as a transactional outbox: the row is written in the same transaction as the
change that causes it, then delivered by Celery (email) and shown in the portal (bell).

The policy asks people to be told: the headteacher of a breach (7.3), a leader of an account
to approve (4.5b), an owner that their credential was retrieved (4.5c), everyone of reminders
(4.5d reviews, 5.19 password rotation). A notification that is lost because the mail relay
or the broker was down would quietly break those duties, hence the outbox.
"""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message to one person (clause 7.3 "notify", reminders everywhere).

    `email_status` is the outbox state: pending rows are delivered by `notifications.tasks`,
    rows held for the weekly digest (`digest=True`) wait for `send_weekly_digests`.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NOT_SENT = "not_sent", "Portal only"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Someone without an account (a parent or carer of the consent round, 4.5e): email only,
    # never shown in a portal inbox. Exactly one of `recipient` and `to_email` is set.
    # db_default too: rows written by raw SQL (the scale seed) need not name these columns.
    to_email = models.EmailField(blank=True, default="", db_default="")
    to_name = models.CharField(max_length=200, blank=True, default="", db_default="")
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
    # After a failed attempt the sweep leaves the row alone until then, so the backoff of the
    # task's own retries is not undone by the once-a-minute sweep.
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The exception class of the last failure only: SMTP replies can quote addresses.
    email_last_error = models.CharField(max_length=100, blank=True)
    digest = models.BooleanField(
        default=False, help_text="Held for the recipient's weekly digest instead of sent at once."
    )
    digest_email = models.ForeignKey(
        "notifications.DigestEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notification_dedupe",
            ),
            models.CheckConstraint(
                condition=(models.Q(recipient__isnull=False) & models.Q(to_email=""))
                | (models.Q(recipient__isnull=True) & ~models.Q(to_email="")),
                name="notification_one_recipient",
            ),
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
        return f"{self.kind} for {self.recipient_id or 'an address'}"

    @property
    def email_address(self) -> str:
        return self.recipient.email if self.recipient_id else self.to_email

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a person wants to hear about reminders (issue: notifications, weekly digest).

    Only kinds registered as `digestible` (reminders) can wait for the digest: a breach
    report (7.3) or a credential retrieval (4.5c) is always sent at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    weekly_digest = models.BooleanField(
        default=False,
        help_text="Collect reminders into one email on Monday morning instead of one email each.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class DigestEmail(models.Model):
    """One weekly digest sent to one person: the row that makes the digest once a week."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_emails"
    )
    week_start = models.DateField(help_text="Monday of the week the digest was sent in.")
    sent_at = models.DateTimeField()
    item_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week_start"], name="digest_once_per_week")
        ]

    def __str__(self) -> str:
        return f"digest of {self.week_start} for {self.recipient_id}"
