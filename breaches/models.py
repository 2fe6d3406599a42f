"""Breach reports and the cases that handle them (section 7, 4.5(h), 5.5, 5.12).

A report is a confidential case: only the people it was routed to (per-record django-guardian
grants), its owner and trust HR can open it; the member of staff it is about never can. Its id
is opaque (a UUID), so guessing ids finds nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Category(models.TextChoices):
    # 7.1 examples
    INTERNET_MISUSE = "internet_misuse", "Misuse of the internet"
    PERSONAL_USE = "personal_use", "Personal use in working hours"
    STUDENTS_AS_FRIENDS = "students_as_friends", "Students as 'friends'"
    CONFIDENTIALITY = "confidentiality", "Breach of confidentiality"
    BULLYING = "bullying", "Bullying or harassment"
    DEFAMATORY = "defamatory", "Defamatory, discriminatory or intimidatory behaviour"
    REPUTATION = "reputation", "Damage to the reputation of the trust or a school"
    ILLEGAL = "illegal", "Illegal acts"
    THIRD_PARTY = "third_party", "Acts exposing the trust to action from third parties"
    # 4.5(h), 5.12, 4.1
    INAPPROPRIATE_COMMENT = "inappropriate_comment", "Inappropriate comment on an official account"
    STUDENT_CONTACT = "student_contact", "Friend request or contact from a student"
    FAKE_ACCOUNT = "fake_account", "Suspected fake or unofficial account"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    INFORMAL_ADVICE = "informal_advice", "Informal advice"
    FORMAL_DISCIPLINARY = "formal_disciplinary", "Formal disciplinary action"
    GROSS_MISCONDUCT = "gross_misconduct", "Gross misconduct referral (7.4)"
    UNFOUNDED = "unfounded", "Unfounded"
    MALICIOUS = "malicious", "Malicious"


class BreachCase(models.Model):
    """A report of an apparent breach (7.3) and its handling as a case."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        INVESTIGATING = "investigating", "Investigating"
        OUTCOME_DECIDED = "outcome_decided", "Outcome decided"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    seen_at = models.DateTimeField("when it was seen")
    platform = models.CharField(max_length=80, blank=True)
    link = models.URLField(max_length=500, blank=True)
    description = models.TextField("what happened")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The member of staff the report is about, if any.",
    )
    students_involved = models.BooleanField(default=False)
    account = models.ForeignKey(
        "channels.OfficialAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The official account the report names, if any.",
    )
    comment_report = models.OneToOneField(
        "channels.CommentReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REPORTED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    retention_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("handle_case", "Open and handle this breach case")]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["retention_until"]),
            # The case list's default "open" view, newest first: the open cases are few however
            # many closed ones accumulate, so its COUNT and page read this index, not the table.
            # With the columns of the visibility test included (owner, subject, the id the
            # per-case grants name), the COUNT reads the index alone once the table is vacuumed.
            models.Index(
                fields=["-created_at"],
                include=["id", "owner", "subject"],
                condition=~models.Q(status="closed"),
                name="breach_open_newest",
            ),
            # The "all" view, newest first.
            models.Index(fields=["-created_at"], name="breach_newest"),
        ]

    def __str__(self) -> str:
        return f"Case {str(self.id)[:8]} ({self.get_category_display()})"

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()


class BreachCaseUserObjectPermission(UserObjectPermissionBase):
    """Per-record grants: the people a case was routed to (django-guardian, direct FK)."""

    content_object = models.ForeignKey(BreachCase, on_delete=models.CASCADE)


class BreachCaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(BreachCase, on_delete=models.CASCADE)


class CaseEntry(models.Model):
    """The case's chronology: notes, actions and decisions, added and never edited."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status change"
        NOTE = "note", "Note"
        ACTION = "action", "Action taken"
        DECISION = "decision", "Decision"
        ROUTING = "routing", "Routed"

    class Action(models.TextChoices):
        CONTENT_REMOVED = "content_removed", "Content removed"
        ACCOUNT_SUSPENDED = "account_suspended", "Account suspended"
        CREDENTIALS_ROTATED = "credentials_rotated", "Login details to be changed"
        ACCOUNT_REVIEW = "account_review", "Review of the official account started"
        REFERRED_LADO = "referred_lado", "Referred to the designated officer (LADO)"
        REFERRED_POLICE = "referred_police", "Referred to the police"

    case = models.ForeignKey(BreachCase, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    action = models.CharField(max_length=30, choices=Action.choices, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"


def _evidence_path(instance, filename):
    # Stored outside the web root under an opaque name; served only by an access-checked view.
    return f"breaches/{instance.case_id}/{uuid.uuid4().hex}{instance.extension}"


class Evidence(models.Model):
    """An image or PDF attached to a report, recognised by content, location data removed."""

    case = models.ForeignKey(BreachCase, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path)
    extension = models.CharField(max_length=6)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Evidence {self.pk} of case {self.case_id}"


class Declaration(models.Model):
    """5.5: a personal site or profile that mentions the person's employment, told to the head.

    5.6: the profile should carry a disclaimer that the views are the person's own.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declarations"
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    site = models.CharField("site or platform", max_length=100)
    link = models.URLField(max_length=500)
    disclaimer_present = models.BooleanField("my profile says the views are my own (5.6)")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.site} declared by {self.user_id}"
