"""Students, parents/carers and photo/video consent (clauses 4.5(e) and 4.5(f)).

Least data that serves: names, year group, class, MIS id, on-roll dates and the date of birth
(which a parent or carer confirms before answering the consent round, issue 17); no addresses.
Decisions are events (`ConsentDecision` + its items); nothing is overwritten.
The current state per student, purpose and medium (`CurrentConsent`) is derived from the
events by `consents.services.recompute_current` and indexed for the check before publishing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Purpose(models.TextChoices):
    WEBSITE = "website", "School website"
    SOCIAL_MEDIA = "social_media", "Official social media accounts"
    PRINT = "print", "Printed materials"
    PRESS = "press", "Press and media"
    INTERNAL = "internal", "Internal displays"


class Medium(models.TextChoices):
    PHOTO = "photo", "Photo"
    VIDEO = "video", "Video"


class Naming(models.TextChoices):
    """How a student may be named when shown (4.5f). Ordered from most to least restrictive."""

    NONE = "none", "Not named"
    INITIALS = "initials", "Initials only"
    FIRST_NAME = "first_name", "First name only"
    FULL_NAME = "full_name", "Full name (express permission)"


NAMING_ORDER = [Naming.NONE, Naming.INITIALS, Naming.FIRST_NAME, Naming.FULL_NAME]


def most_restrictive_naming(values) -> str:
    return min(values, key=NAMING_ORDER.index, default=Naming.NONE)


class Student(models.Model):
    """A student of a school, as the MIS knows them (least data that serves)."""

    # db_index=False here and below: a composite index leading with the column serves it, and
    # the MIS import writes these tables by the hundred thousand (issue 9).
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="students", db_index=False
    )
    mis_id = models.CharField("MIS identifier", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    year_group = models.CharField(max_length=2, help_text="N1, N2, R or 1–13, from the MIS")
    form = models.CharField("class or form", max_length=20, blank=True)
    on_roll_from = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    # From the MIS file: the fact a parent or carer confirms before the consent round shows
    # them anything about the child.
    date_of_birth = models.DateField(null=True, blank=True)
    # Summary kept by consents.services.recompute_current: the latest school year in which the
    # student has a decision in force (None: never). Coverage of a year is then a count of
    # students, not a scan of every current-consent row (trustees' dashboard, issue 9).
    decision_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "mis_id"], name="student_mis_id_per_school")
        ]
        indexes = [
            models.Index(fields=["school", "year_group", "form"]),
            models.Index(fields=["school", "left_on"]),
            # Coverage per school read from the index alone (trustees' dashboard).
            models.Index(
                fields=["school", "decision_year"],
                condition=models.Q(left_on__isnull=True),
                name="student_on_roll_decision_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_given_name} {self.family_name}"

    @property
    def display_given_name(self) -> str:
        return self.preferred_name or self.given_name

    @property
    def initials(self) -> str:
        return f"{self.display_given_name[:1]}{self.family_name[:1]}".upper()

    def shown_as(self, naming: str) -> str:
        """The name a post may carry under `naming` (4.5f)."""
        return {
            Naming.NONE: "",
            Naming.INITIALS: self.initials,
            Naming.FIRST_NAME: self.display_given_name,
            Naming.FULL_NAME: f"{self.display_given_name} {self.family_name}",
        }[naming]


class Carer(models.Model):
    """A parent or carer who gives consent, linked to one or more students."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="carers", db_index=False
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    students = models.ManyToManyField(Student, through="StudentCarer", related_name="carers")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["school", "email"])]

    def __str__(self) -> str:
        return self.name


class StudentCarer(models.Model):
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="carer_links", db_index=False
    )
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="student_links")
    relationship = models.CharField(max_length=50, blank=True)
    # As the MIS says (None: the file did not say): 1 is the main contact; parental
    # responsibility decides who may answer for the child.
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    parental_responsibility = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "carer"], name="student_carer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.carer} ({self.relationship}) of {self.student}"


class ConsentWording(models.Model):
    """A version of the consent form's wording; each decision records the one the carer saw."""

    school = models.ForeignKey(
        "accounts.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the trust's wording used by every school.",
    )
    version = models.CharField(max_length=20)
    text = models.TextField()
    effective_from = models.DateField()

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="consent_wording_version")
        ]

    def __str__(self) -> str:
        return f"Consent wording {self.version}"


class ConsentDecision(models.Model):
    """One decision by one carer for one student: a new event for every change or withdrawal."""

    class Method(models.TextChoices):
        PAPER = "paper", "Paper form"
        ONLINE = "online", "Online form"
        PHONE = "phone", "Phone call taken by staff"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="decisions")
    carer = models.ForeignKey(Carer, on_delete=models.PROTECT, related_name="decisions")
    method = models.CharField(max_length=10, choices=Method.choices)
    wording = models.ForeignKey(ConsentWording, on_delete=models.PROTECT, related_name="+")
    given_on = models.DateField()
    school_year = models.PositiveSmallIntegerField(help_text="2026 means 2026/27")
    naming = models.CharField(max_length=12, choices=Naming.choices)
    is_withdrawal = models.BooleanField(default=False)
    # Empty for an answer the carer gave online themselves (the consent round).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["student", "carer", "school_year", "-id"])]

    def __str__(self) -> str:
        return f"Decision {self.pk} by {self.carer} for {self.student}"

    def allowed_summary(self) -> str:
        """What was allowed, as one list ("Website (photo), Social media (video)"): read from
        the prefetched items, so a history page costs no query per decision."""
        return ", ".join(
            f"{item.get_purpose_display()} ({item.medium})"
            for item in self.items.all()
            if item.allowed
        )


class ConsentItem(models.Model):
    """Within a decision: allowed or not, for one purpose and one medium."""

    decision = models.ForeignKey(ConsentDecision, on_delete=models.CASCADE, related_name="items")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    allowed = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "purpose", "medium"], name="consent_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.medium}: {'yes' if self.allowed else 'no'}"


class CurrentConsent(models.Model):
    """Derived: the state in force per student, purpose and medium for a school year.

    The more restrictive carer wins; `disagreement` shows that carers differ.
    """

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="current")
    school_year = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    allowed = models.BooleanField()
    naming = models.CharField(max_length=12, choices=Naming.choices)
    disagreement = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "purpose", "medium"], name="current_consent_key"
            )
        ]
        indexes = [models.Index(fields=["school_year", "purpose", "medium", "student"])]

    def __str__(self) -> str:
        return f"{self.student_id} {self.school_year} {self.purpose}/{self.medium}"


class ColumnMapping(models.Model):
    """How one school's MIS export maps to our fields, remembered for next time: column name ->
    target (`consents.mis_columns`), including the columns the office chose to ignore."""

    school = models.OneToOneField("accounts.School", on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"MIS column mapping of {self.school_id}"


class ImportBatch(models.Model):
    """One upload of a MIS export: previewed first, applied all or nothing on confirmation."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Checked, waiting for confirmation"
        REJECTED = "rejected", "Has errors; nothing written"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed; nothing written"

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    content = models.BinaryField(help_text="The uploaded file, kept until it is applied.")
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, help_text="Counts: create, change, unchanged, leave.")
    errors = models.JSONField(default=list, help_text="[[line, reason], ...]")
    warnings = models.JSONField(
        default=list, help_text="[[line, note], ...]: shown in the preview, not blocking."
    )
    leavers = models.JSONField(
        default=list, help_text="Ids of students on roll missing from the file (the preview)."
    )
    mark_left = models.BooleanField(
        default=False, help_text="The office confirmed that the listed students have left."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.file_name})"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class Publication(models.Model):
    """A post made after the consent check: what was published, where, and who checked (4.5e).

    After a purge the student links keep only the fact that consent existed, not the child.
    """

    account = models.ForeignKey(
        "channels.OfficialAccount", on_delete=models.PROTECT, related_name="publications"
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    post_url = models.URLField("link to the post", max_length=500)
    published_on = models.DateField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["school", "-published_on"])]

    def __str__(self) -> str:
        return f"{self.get_medium_display()} on {self.account} ({self.published_on})"


class PublicationStudent(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="appearances"
    )
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="appearances"
    )
    naming = models.CharField(max_length=12, choices=Naming.choices)
    consent_existed = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["student", "publication"])]

    def __str__(self) -> str:
        return f"appearance in publication {self.publication_id}"


class Takedown(models.Model):
    """A post a narrowed or withdrawn decision no longer allows: the account owner must take
    it down (4.5e: consent can be withdrawn at any time)."""

    class Status(models.TextChoices):
        OPEN = "open", "To take down"
        DONE = "done", "Taken down"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="takedowns")
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="takedowns"
    )
    decision = models.ForeignKey(
        ConsentDecision, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "student"],
                condition=models.Q(status="open"),
                name="one_open_takedown_per_post_and_student",
            )
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return f"Takedown of {self.publication}"


from .models_round import ConsentRound, RoundInvite  # noqa: E402,F401  (the round's models)
