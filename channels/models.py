"""The trust's registry of official social media accounts (clauses 4.1–4.5, 5.13).

State changes happen only in channels.services; every change of an account's status leaves an
AccountEvent row (like healthchecks' Flip), so the timeline and the reports are plain queries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# England year groups: Reception is aged 4–5 and Year N is aged N+4 to N+5 during the school
# year (Year 7 = 11–12). The youngest pupil of a year group has the lower age (4.3).
YEAR_GROUPS: list[tuple[str, str]] = [("R", "Reception")] + [
    (str(n), f"Year {n}") for n in range(1, 14)
]
YEAR_GROUP_LABELS = dict(YEAR_GROUPS)


def year_group_ages(code: str) -> tuple[int, int]:
    """(youngest, oldest) age of pupils in the year group `code` ("R", "1".."13")."""
    if code == "R":
        return (4, 5)
    n = int(code)
    return (n + 4, n + 5)


class Platform(models.Model):
    """A social media service and the provider terms that matter to the policy (4.3).

    Seeded by a data migration; trust administrators keep the list up to date.
    """

    name = models.CharField(max_length=80, unique=True)
    min_age = models.PositiveSmallIntegerField(
        "minimum user age", help_text="The provider's minimum age for an account holder."
    )
    terms_url = models.URLField("terms of service", max_length=300)
    dms_can_be_disabled = models.BooleanField(
        "direct messages can be turned off",
        default=False,
        help_text="Whether the account owner can turn private messaging off (4.5i).",
    )
    comments_can_be_limited = models.BooleanField(
        "comments can be limited",
        default=False,
        help_text="Whether the owner can limit or turn off comments (4.3).",
    )
    is_active = models.BooleanField(
        default=True, help_text="Untick to stop new registrations on this platform."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# States in which a handle or URL is taken: a rejected or closed registration frees it.
_HOLDS_NAME = ["draft", "submitted", "changes_requested", "approved", "active", "suspended"]


class OfficialAccount(models.Model):
    """An official school account on a platform (4.1) and its approval state (4.2, 4.5b).

    Owner and at least one deputy from the same school, so an account never depends on one
    person; attestations record 4.4, 4.5(a), 4.5(i) and 4.5(j) at registration.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting approval"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved, not yet active"
        REJECTED = "rejected", "Rejected"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    HOLDS_NAME = _HOLDS_NAME

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="official_accounts"
    )
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="accounts")
    handle = models.CharField(max_length=100, help_text="The account name, e.g. @northfieldpe.")
    # Lower-case handle without a leading "@", and the URL without scheme, "www." or a trailing
    # slash: the keys that make a duplicate registration visible (services.normalise_*).
    handle_key = models.CharField(max_length=100, editable=False)
    url = models.URLField("address (URL)", max_length=300)
    url_key = models.CharField(max_length=300, editable=False)
    purpose = models.TextField(
        help_text="The pedagogical or business reason for the account (4.2)."
    )
    audience_year_groups = models.JSONField(
        default=list, blank=True, help_text="Year group codes: 'R', '1' … '13'."
    )
    audience_adults = models.BooleanField(
        "parents, carers and the public", default=False, help_text="Adults are an audience too."
    )
    students_can_comment = models.BooleanField(default=False)
    students_can_upload_images = models.BooleanField(default=False)
    students_can_add_text = models.BooleanField(default=False)
    login_email = models.EmailField(
        help_text="The official school address the account is registered with (4.5a)."
    )
    attest_dedicated = models.BooleanField(default=False)  # 4.5(a)
    attest_no_private_messages = models.BooleanField(default=False)  # 4.5(i)
    attest_no_follow_back = models.BooleanField(default=False)  # 4.5(j)
    attest_strongest_privacy = models.BooleanField(default=False)  # 4.4

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_accounts"
    )
    deputies = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="deputy_accounts")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    # 5.13: set when the owner or a deputy leaves; cleared by a leader's handover.
    needs_new_owner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school__name", "platform__name", "handle"]
        constraints = [
            # One trust per installation in practice, so "in the trust" is "in the database".
            models.UniqueConstraint(
                fields=["platform", "handle_key"],
                condition=Q(status__in=_HOLDS_NAME),
                name="official_account_handle_unique",
            ),
            models.UniqueConstraint(
                fields=["url_key"],
                condition=Q(status__in=_HOLDS_NAME),
                name="official_account_url_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "next_review_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.handle} on {self.platform.name}" if self.platform_id else self.handle

    @property
    def status_tone(self) -> str:
        """Bootstrap colour of the status badge (the badge text always says the status)."""
        return {
            "draft": "secondary",
            "submitted": "warning",
            "changes_requested": "warning",
            "approved": "info",
            "rejected": "dark",
            "active": "success",
            "suspended": "danger",
            "closed": "dark",
        }[self.status]

    @property
    def students_can_interact(self) -> bool:
        return (
            self.students_can_comment
            or self.students_can_upload_images
            or self.students_can_add_text
        )

    def student_interactions(self) -> list[str]:
        """What students may do, as words to join ("comment; upload images")."""
        names = [
            (self.students_can_comment, "comment"),
            (self.students_can_upload_images, "upload images"),
            (self.students_can_add_text, "add their own text"),
        ]
        return [label for allowed, label in names if allowed]

    def audience_labels(self) -> list[str]:
        labels = [YEAR_GROUP_LABELS.get(c, c) for c in self.audience_year_groups]
        if self.audience_adults:
            labels.append("Parents, carers and the public")
        return labels


class AccountEvent(models.Model):
    """One row per status change or notable step of an account: its visible history (4.2)."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)  # the audit code without "account."
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} ({self.from_status}→{self.to_status})"

    # The history shows words, never the codes (issue 15).
    LABELS = {
        "registered": "Registered",
        "updated": "Details changed",
        "submitted": "Sent for approval",
        "approved": "Approved",
        "rejected": "Not approved",
        "changes_requested": "Changes asked for",
        "activated": "Made active",
        "suspended": "Suspended",
        "reinstated": "Active again",
        "closed": "Closed",
        "reviewed": "Annual review",
        "needs_new_owner": "Needs a new owner",
        "handed_over": "Handed over",
        "comment_reported": "Comment reported",
        "followup_opened": "Follow-up opened",
        "followup_resolved": "Follow-up resolved",
        "marked_live": "Marked live",
    }

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action) or self.action.replace("_", " ").capitalize()

    @property
    def from_status_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(code: str) -> str:
    return (
        str(OfficialAccount.Status(code).label) if code in OfficialAccount.Status.values else code
    )


class AccountReview(models.Model):
    """A leader's annual review of an active account (4.4, 4.5d, 4.5i, 4.5j)."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    still_needed = models.BooleanField()
    content_professional = models.BooleanField()  # 4.5(d)
    privacy_strictest = models.BooleanField()  # 4.4
    no_private_messaging = models.BooleanField()  # 4.5(i)
    owner_deputy_right = models.BooleanField()  # 5.13
    # 4.5(j), asked since issue 15: None on reviews recorded before the question was.
    no_follow_back = models.BooleanField(null=True)
    notes = models.TextField(blank=True)
    due_date = models.DateField(help_text="The due date this review answered.")

    CHECKS = [
        ("still_needed", "The account is still needed"),
        ("content_professional", "Content is solely professional (4.5d)"),
        ("privacy_strictest", "Privacy settings are still the strictest (4.4)"),
        ("no_private_messaging", "No private messaging with students (4.5i)"),
        ("no_follow_back", "Student accounts are not followed back or viewed (4.5j)"),
        ("owner_deputy_right", "Owner and deputies are still right (5.13)"),
    ]

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.account_id} on {self.reviewed_at:%Y-%m-%d}"

    @property
    def passed(self) -> bool:
        # A check not asked at the time (None) is not a concern.
        return all(getattr(self, name) is not False for name, _ in self.CHECKS)


def _comment_screenshot_path(instance: CommentReport, filename: str) -> str:
    # The stored name never uses the uploader's file name (no path tricks, no personal data).
    import uuid

    return f"channels/comment-screenshots/{uuid.uuid4().hex}{instance.screenshot_ext}"


class CommentReport(models.Model):
    """An inappropriate comment on an official account, removed and reported (4.5h).

    The breaches app turns a report into a case by pointing at it (a OneToOneField on the
    case, related_name "case"), so this app does not depend on breaches.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Dealt with"

    account = models.ForeignKey(
        OfficialAccount, on_delete=models.CASCADE, related_name="comment_reports"
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    comment_url = models.URLField("link to the comment", max_length=500)
    screenshot = models.FileField(upload_to=_comment_screenshot_path, blank=True)
    screenshot_ext = models.CharField(max_length=8, blank=True)
    screenshot_type = models.CharField(max_length=40, blank=True)
    was_removed = models.BooleanField("the comment has been removed")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Comment report #{self.pk}"


class FakeAccountReport(models.Model):
    """A suspected fake or unofficial account using a school's name (4.1), tracked until a
    leader of that school resolves it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Source(models.TextChoices):
        STAFF = "staff", "A member of staff, in the portal"
        PUBLIC = "public", "A member of the public, from the register"

    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    # None for a report from the public register (no sign-in).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Database defaults too, so set-based inserts (dashboard/scale.py) need not name them.
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.STAFF, db_default=Source.STAFF
    )
    # Public reports: an address to reply to, if the person gave one (optional), and a keyed
    # hash of the client address for the rate limit (never the address itself).
    reply_to = models.EmailField("email for a reply", blank=True, db_default="")
    client_key = models.CharField(max_length=64, blank=True, db_index=True, db_default="")
    # The reported account is one of ours, on the public register: maybe taken over, or the
    # reporter was mistaken. Said to the reporter and to the leaders (issue 15).
    matched_account = models.ForeignKey(
        OfficialAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT)
    handle = models.CharField(max_length=100, blank=True)
    url = models.URLField("address (URL)", max_length=500, blank=True)
    description = models.TextField("what you saw")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Suspected fake account #{self.pk}"


class ReviewFollowUp(models.Model):
    """What a review that found a concern asks to be done, by whom and by when (4.5d).

    Shown on the account until it is resolved; an account suspended in the meantime is out of
    use, so its follow-up is neither shown as waiting nor reminded while it stays suspended.
    Changed only through channels.followups.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    review = models.OneToOneField(AccountReview, on_delete=models.CASCADE, related_name="followup")
    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="followups")
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="+")
    concern = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_followups"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["school", "status", "due_date"])]

    def __str__(self) -> str:
        return f"Follow-up of review {self.review_id}"


class ConcernsContact(models.Model):
    """Where the public raises a concern about a school's accounts (shown on the register, 4.1).
    Kept by the school's leaders through channels.fake_reports.concerns_contact_set."""

    school = models.OneToOneField(
        "accounts.School", on_delete=models.CASCADE, related_name="concerns_contact"
    )
    name = models.CharField("who to contact", max_length=120, help_text="e.g. School office")
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Concerns contact of {self.school_id}"
