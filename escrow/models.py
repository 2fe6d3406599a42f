"""The credential escrow: the current login details of every official account (4.5c, 5.19).

Only three tables and only one of them, `SealedSecret`, holds anything secret — and only as
AES-256-GCM ciphertext under a data key wrapped by a key-encryption key that is never in the
database (escrow/crypto.py, docs/security.md). No history table copies a secret: earlier
versions are kept sealed for `ESCROW_KEEP_OLD_DAYS`, then their `SealedSecret` rows are deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .crypto import Sealed


def default_rotation_days() -> int:
    return settings.ESCROW_ROTATION_DAYS


class Credential(models.Model):
    """The escrow record of one official account (4.5c: the login details are given to a
    school leader, who keeps a record; 5.19: they are changed regularly and when someone who
    knew them leaves). State changes only through escrow.services."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.OneToOneField(
        "channels.OfficialAccount", on_delete=models.PROTECT, related_name="credential"
    )
    # Copied from the account when the record is made: the school is bound into every
    # ciphertext's authenticated data, and reports filter on it.
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    rotation_interval_days = models.PositiveIntegerField(default=default_rotation_days)
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotation_required = models.BooleanField(default=False)
    rotation_reason = models.CharField(max_length=300, blank=True)
    rotation_required_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["school", "rotation_required"])]

    def __str__(self) -> str:
        return f"Login details of account {self.account_id}"

    @property
    def rotation_due(self) -> date | None:
        if self.rotated_at is None:
            return None
        return timezone.localdate(self.rotated_at) + timedelta(days=self.rotation_interval_days)

    @property
    def check_due(self) -> date | None:
        """The yearly escrow check: a year after the last check, or after the first deposit."""
        since = self.last_checked_at or self.rotated_at
        if since is None:
            return None
        return timezone.localdate(since) + timedelta(days=settings.ESCROW_CHECK_INTERVAL_DAYS)

    def rotation_overdue(self, today: date | None = None) -> bool:
        due = self.rotation_due
        return due is not None and (today or timezone.localdate()) >= due


class CredentialVersion(models.Model):
    """One deposit of login details: who and when, never the value (4.5c). The values are in
    `SealedSecret` rows; a superseded version keeps them for recovery until they are
    destroyed (`destroyed_at`), and the row itself stays as the record of the deposit."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deposited_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "number"], name="escrow_version_number"),
            # At most one current version per credential.
            models.UniqueConstraint(
                fields=["credential"],
                condition=models.Q(superseded_at__isnull=True),
                name="escrow_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of credential {self.credential_id}"


class SealedSecret(models.Model):
    """One encrypted field of a version: AES-256-GCM ciphertext and its wrapped data key.
    Nothing here is readable without a key-encryption key from the environment."""

    class Field(models.TextChoices):
        USERNAME = "username", "Username or login email"
        PASSWORD = "password", "Password"
        RECOVERY_CODES = "recovery_codes", "Two-factor recovery codes"
        NOTES = "notes", "Notes"

    version = models.ForeignKey(CredentialVersion, on_delete=models.CASCADE, related_name="secrets")
    field = models.CharField(max_length=20, choices=Field.choices)
    key_id = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    nonce = models.BinaryField()
    ciphertext = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "field"], name="escrow_one_secret_per_field")
        ]
        indexes = [models.Index(fields=["key_id"])]

    def __str__(self) -> str:  # never the bytes
        return f"{self.field} of version {self.version_id} (key {self.key_id})"

    def __repr__(self) -> str:
        return f"<SealedSecret {self}>"

    @property
    def sealed(self) -> Sealed:
        return Sealed(
            self.key_id, bytes(self.wrapped_key), bytes(self.nonce), bytes(self.ciphertext)
        )


class Retrieval(models.Model):
    """Who retrieved which login details, when and why (4.5c: the leader keeps a record;
    investigations and leavers' rotation read it). Written before the secret is decrypted."""

    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="retrievals")
    version = models.ForeignKey(
        CredentialVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credential_retrievals"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500)
    break_glass = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["credential", "at"]),
        ]

    def __str__(self) -> str:
        return f"Retrieval of credential {self.credential_id} by {self.user_id}"
