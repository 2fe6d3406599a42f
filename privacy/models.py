"""Data protection records (issue 19; UK GDPR Art. 12, 15-17, 30): subject access requests,
erasure and rectification requests with their outcome, and the runs of the retention
schedule's disposal."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SubjectKind(models.TextChoices):
    STAFF = "staff", "Member of staff"
    STUDENT = "student", "Student"
    CARER = "carer", "Parent or carer"


class SubjectAccessRequest(models.Model):
    """A request for everything held about one person (Art. 15), answered within one month
    of `received_on` (`due_on`). Each bundle produced is recorded (`produced_at`, and an
    audit entry `privacy.sar_produced`)."""

    kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    # The person's record ("consents.student:42"); the label is kept so the request can be
    # read after the record is gone (the request has its own retention).
    subject = models.CharField(max_length=100)
    subject_label = models.CharField(max_length=200)
    received_on = models.DateField("date the request was received")
    due_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    produced_at = models.DateTimeField(null=True, blank=True)
    produced_count = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closed_at", "due_on", "-id"]
        indexes = [models.Index(fields=["closed_at", "due_on"])]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"


class RightsRequest(models.Model):
    """An erasure or rectification request (Art. 16, 17) and what the trust decided. Where the
    law lets the trust keep data (safeguarding: KCSIE; a legal obligation), the outcome says
    so, and so does the person's subject access bundle."""

    class Kind(models.TextChoices):
        ERASURE = "erasure", "Erasure"
        RECTIFICATION = "rectification", "Rectification"

    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        PARTLY = "partly", "Partly done: some data kept"
        REFUSED = "refused", "Refused: the law lets the trust keep it"

    kind = models.CharField(max_length=15, choices=Kind.choices)
    subject_kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    subject = models.CharField(max_length=100)
    subject_label = models.CharField(max_length=200)
    received_on = models.DateField("date the request was received")
    details = models.TextField("what the person asked for")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_reason = models.TextField("reason and legal basis", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["subject"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request {self.pk}"


class DisposalRun(models.Model):
    """One run of the retention schedule (privacy.tasks.dispose): how many records of each
    category were disposed of. Counts only: what was disposed of is gone."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    counts = models.JSONField(default=dict)
    audit_keys_destroyed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Disposal run of {self.started_at:%Y-%m-%d %H:%M}"
