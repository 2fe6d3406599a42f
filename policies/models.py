"""The policy register (header of the Social Media Policy; clause 8, related policies).

The Social Media Policy says "Approved by the Trust Board 23 March 2021, Review Date March 2023":
every policy here carries who approved it, when, and when it must be reviewed, and every review
leaves a row so the history can be shown to the board.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import School, Trust

# A policy is "due soon" within this many days of its review date (issue 8).
DUE_SOON_DAYS = 60


class ApprovingBody(models.TextChoices):
    TRUST_BOARD = "trust_board", "Trust Board"
    LOCAL_GOVERNING_BODY = "lgb", "Local governing body"
    HEADTEACHER = "headteacher", "Headteacher"


class PolicyCategory(models.TextChoices):
    """The Social Media Policy itself and the supporting policies of clause 8.1."""

    SOCIAL_MEDIA = "social_media", "Social Media Policy"
    ALLEGATIONS = "allegations", "Managing Allegations Against Staff"
    DISCIPLINARY = "disciplinary", "Disciplinary Policy"
    ESAFETY = "esafety", "School E-safety Policy"
    ICT = "ict", "School ICT Policies"
    CODE_OF_CONDUCT = "code_of_conduct", "Staff Code of Conduct"
    RESOLVING_ISSUES = "resolving_issues", "Resolving Issues at Work Policy"
    OTHER = "other", "Other"


class ReviewStatus(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due within 60 days"
    CURRENT = "current", "Current"


def review_status_for(review_due: date, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if review_due < today:
        return ReviewStatus.OVERDUE
    if review_due <= today + timedelta(days=DUE_SOON_DAYS):
        return ReviewStatus.DUE_SOON
    return ReviewStatus.CURRENT


class Policy(models.Model):
    """A policy of the trust (school is null: trust-wide) or of one school (clause 8).

    `current_version` and `review_due` move only through policies.services (policy_review_record).
    A school policy with `variant_of` is that school's local variant of a trust-wide policy and
    replaces it for the school's staff.
    """

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="policies")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=PolicyCategory.choices)
    # A stable key for policies the portal itself seeds (the Social Media Policy).
    code = models.SlugField(max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_policies",
    )
    approving_body = models.CharField(max_length=20, choices=ApprovingBody.choices)
    review_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Used to set the next review date when none is given."
    )
    review_due = models.DateField()
    requires_acknowledgement = models.BooleanField(
        default=True, help_text="Staff to whom the policy applies must read and acknowledge it."
    )
    variant_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_variants",
        limit_choices_to={"school__isnull": True},
    )
    current_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A local variant: the trust version it was written against (adoption) or last checked
    # against (a review of the variant). policies.variants compares it with the trust's current
    # version to say "the trust version has moved on".
    variant_base_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "code"],
                condition=models.Q(school__isnull=True) & ~models.Q(code=""),
                name="policy_trust_code_unique",
            ),
            models.UniqueConstraint(
                fields=["school", "variant_of"],
                condition=models.Q(variant_of__isnull=False),
                name="policy_one_variant_per_school",
            ),
            models.CheckConstraint(
                condition=models.Q(variant_of__isnull=True) | models.Q(school__isnull=False),
                name="policy_variant_belongs_to_school",
            ),
        ]
        indexes = [models.Index(fields=["trust", "review_due"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_trust_wide(self) -> bool:
        return self.school_id is None

    @property
    def review_status(self) -> str:
        return review_status_for(self.review_due)

    def get_review_status_display(self) -> str:
        return ReviewStatus(self.review_status).label

    @property
    def trust_version_moved_on(self) -> bool:
        """A local variant whose trust policy has approved a newer version since the variant
        was adopted or last reviewed (policies.variants). Needs `variant_of` loaded."""
        return (
            self.variant_of_id is not None
            and self.variant_of.current_version_id is not None
            and self.variant_of.current_version_id != self.variant_base_version_id
        )


class PolicyVersion(models.Model):
    """One approved text of a policy (header: "Approved by the Trust Board 23 March 2021").

    Versions are never edited or deleted: the history is the board's evidence.
    """

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Stored under MEDIA_ROOT (outside the web root), served only by the access-checked view.
    document = models.FileField(upload_to="policies/%Y/", blank=True)
    original_filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    approved_on = models.DateField()
    approved_by = models.CharField(max_length=20, choices=ApprovingBody.choices)
    summary = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    @property
    def school_id(self) -> int | None:  # for get_visible_or_404's audit of denials
        return self.policy.school_id

    @property
    def school(self):
        return self.policy.school


class PolicyReview(models.Model):
    """A recorded review: a new version or "reviewed, no change"; moves the review date on."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Added to the register"
        NEW_VERSION = "new_version", "New version approved"
        NO_CHANGE = "no_change", "Reviewed, no change"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="reviews")
    approved_on = models.DateField()
    approved_by = models.CharField(max_length=20, choices=ApprovingBody.choices)
    previous_review_due = models.DateField(null=True, blank=True)
    next_review_due = models.DateField()
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy}: {self.get_outcome_display()} ({self.approved_on})"


class PolicyAdoption(models.Model):
    """A school's adoption of a trust-wide policy (clause 8), with its local variant if any."""

    policy = models.ForeignKey(
        Policy,
        on_delete=models.CASCADE,
        related_name="adoptions",
        limit_choices_to={"school__isnull": True},
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="policy_adoptions")
    adopted_on = models.DateField()
    local_variant = models.OneToOneField(
        Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="adoption_as_variant"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "school"], name="policy_adoption_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} adopted by {self.school}"


class Acknowledgement(models.Model):
    """A member of staff (2.1) read and acknowledged one exact version of a policy."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="acknowledgement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.version}"
