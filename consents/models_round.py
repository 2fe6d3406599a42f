"""The school year's consent round: parents and carers answer themselves (4.5e, 4.5f).

A `ConsentRound` per school and school year; a `RoundInvite` per carer of the school, holding
only hashes of the live link's secret and of the letter's short code (never the secrets), the
outbox rows of its email and reminder (a failed row is a bounce), and the wrong-answer count of
the date-of-birth check. Imported by consents.models so Django finds the models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

# After this many wrong dates of birth a link is locked until the office re-sends it.
MAX_FAILED_CHECKS = 5


class ConsentRound(models.Model):
    """One school's round for one school year: every carer is asked once (4.5e)."""

    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    school_year = models.PositiveSmallIntegerField(help_text="2026 means 2026/27")
    wording = models.ForeignKey(
        "consents.ConsentWording", on_delete=models.PROTECT, related_name="+"
    )
    ends_on = models.DateField(help_text="Links stop working after this day.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_round_per_year")
        ]

    def __str__(self) -> str:
        return f"Consent round {self.school_year}/{(self.school_year + 1) % 100:02d}"

    @property
    def year_label(self) -> str:
        return f"{self.school_year}/{(self.school_year + 1) % 100:02d}"


class RoundInvite(models.Model):
    """One carer's invitation in a round: an emailed link or a letter's short code."""

    round = models.ForeignKey(ConsentRound, on_delete=models.CASCADE, related_name="invites")
    carer = models.ForeignKey("consents.Carer", on_delete=models.CASCADE, related_name="+")
    # SHA-256 of the random secret inside the live signed link; "" = no live link.
    token_hash = models.CharField(max_length=64, blank=True)
    # SHA-256 of the letter's short code (normalised); "" = no live code.
    code_hash = models.CharField(max_length=64, blank=True)
    email = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminder = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    letter_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["carer__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "carer"], name="one_invite_per_carer"),
            models.UniqueConstraint(
                fields=["code_hash"], condition=~models.Q(code_hash=""), name="round_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} of {self.round}"

    @property
    def locked(self) -> bool:
        return self.failed_checks >= MAX_FAILED_CHECKS
