"""Reads of the policy register: what a person may see, what waits for them, the figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, School, User
from accounts.roles import Perm
from accounts.selectors import is_trust_admin, school_ids_with_perm, user_has_school_perm
from accounts.types import Viewer

from .models import DUE_SOON_DAYS, Acknowledgement, Policy, PolicyVersion, ReviewStatus


def _reader_school_ids(user) -> QuerySet:
    """Schools whose policies the user may read: staff there (2.1), or managing or viewing
    its staff (leaders, trust administrators, trust HR). Trustees see figures, not the register."""
    return School.objects.filter(
        Q(pk__in=school_ids_with_perm(user, Perm.STAFF))
        | Q(pk__in=school_ids_with_perm(user, Perm.MANAGE_POLICIES))
        | Q(pk__in=school_ids_with_perm(user, Perm.VIEW_STAFF))
    ).values("pk")


def policies_visible_to(user: Viewer) -> QuerySet[Policy]:
    """A school's policies belong to the school; trust-wide ones are visible to all its staff."""
    readable = _reader_school_ids(user)
    return Policy.objects.filter(
        Q(school__in=readable)
        | Q(school__isnull=True, trust__in=School.objects.filter(pk__in=readable).values("trust"))
    )


def versions_visible_to(user: Viewer) -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(policy__in=policies_visible_to(user).values("pk"))


def manageable_school_ids(user: Viewer) -> list[int]:
    return school_ids_with_perm(user, Perm.MANAGE_POLICIES)


def can_manage(user: Viewer, policy: Policy) -> bool:
    """Trust administrators manage trust-wide policies; headteachers their school's (clause 8)."""
    if policy.school_id is None:
        return is_trust_admin(user)
    return user_has_school_perm(user, Perm.MANAGE_POLICIES, policy.school_id)


def can_create_any(user: Viewer) -> bool:
    return is_trust_admin(user) or bool(manageable_school_ids(user))


def register_for(user: Viewer, school_id: int | None = None) -> QuerySet[Policy]:
    """The register page: visible policies, optionally of one school (with the trust-wide)."""
    qs = policies_visible_to(user).select_related(
        "school", "owner", "current_version", "variant_of"
    )
    if school_id is not None:
        qs = qs.filter(Q(school_id=school_id) | Q(school__isnull=True))
    return qs.order_by("school__name", "title")


def _applicable_q(staff_school_ids) -> Q:
    """Policies that apply to the staff of `staff_school_ids`: each school's own, and trust-wide
    ones unless every such school replaced it with a local variant."""
    variant_here = Policy.objects.filter(
        school_id=OuterRef("pk"), variant_of_id=OuterRef(OuterRef("pk"))
    )
    school_without_variant = School.objects.filter(
        pk__in=staff_school_ids, trust_id=OuterRef("trust_id")
    ).filter(~Exists(variant_here))
    return Q(school__in=staff_school_ids) | (
        Q(school__isnull=True) & Exists(school_without_variant)
    )


def _asked_of(user) -> QuerySet[Policy]:
    """Policies whose current version the user is asked to acknowledge (staff of a school
    where they apply); none without a school where the user is staff."""
    staff_schools = school_ids_with_perm(user, Perm.STAFF)
    if not staff_schools:
        return Policy.objects.none()
    return Policy.objects.filter(
        _applicable_q(staff_schools), requires_acknowledgement=True, current_version__isnull=False
    )


def _acknowledged_by(user) -> Exists:
    return Exists(
        Acknowledgement.objects.filter(user=user, version_id=OuterRef("current_version_id"))
    )


def policies_for_acknowledgement(user: Viewer) -> QuerySet[Policy]:
    """Current versions the user is asked to acknowledge, annotated with `acknowledged`."""
    return (
        _asked_of(user)
        .select_related("school", "current_version")
        .annotate(acknowledged=_acknowledged_by(user))
        .order_by("acknowledged", "title")
    )


def waiting_for(user: Viewer) -> QuerySet[Policy]:
    """Policies whose current version the user is asked to acknowledge and has not (the home
    page counts them: policies/home.py)."""
    return _asked_of(user).filter(~_acknowledged_by(user))


def owned_due_for_review(user: Viewer, today: date | None = None) -> QuerySet[Policy]:
    """Policies the user owns that are overdue or due for review within DUE_SOON_DAYS."""
    today = today or timezone.localdate()
    return Policy.objects.filter(owner=user, review_due__lte=today + timedelta(days=DUE_SOON_DAYS))


def waiting_count(user: Viewer) -> int:
    return waiting_for(user).count()


def applies_to(user: Viewer, policy: Policy) -> bool:
    return _asked_of(user).filter(pk=policy.pk).exists()


@dataclass
class Outstanding:
    policy: Policy
    people: list[User]
    staff_count: int


def outstanding_for_school(school: School) -> list[Outstanding]:
    """Who has not acknowledged the current version of each policy that applies at `school`.
    Three queries whatever the number of staff or policies."""
    applicable = list(
        Policy.objects.filter(_applicable_q(School.objects.filter(pk=school.pk).values("pk")))
        .filter(requires_acknowledgement=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("title")
    )
    staff = list(
        User.objects.filter(is_active=True, memberships__school=school)
        .distinct()
        .order_by("full_name")
    )
    acked = set(
        Acknowledgement.objects.filter(
            version_id__in=[p.current_version_id for p in applicable],
            user__in=[u.pk for u in staff],
        ).values_list("user_id", "version_id")
    )
    return [
        Outstanding(
            policy=p,
            people=[u for u in staff if (u.pk, p.current_version_id) not in acked],
            staff_count=len(staff),
        )
        for p in applicable
    ]


def leader_school_ids(user: Viewer) -> QuerySet:
    """Schools whose outstanding acknowledgements the user may see (names of staff)."""
    return School.objects.filter(
        Q(pk__in=school_ids_with_perm(user, Perm.VIEW_STAFF))
        | Q(pk__in=school_ids_with_perm(user, Perm.VIEW_DASHBOARD))
    ).values("pk")


# --- Reminders -----------------------------------------------------------------------------


def reminder_stage(review_due: date, today: date) -> str | None:
    """The reminder a policy is at: 60, 30 or 7 days before, then one per week overdue."""
    days_left = (review_due - today).days
    if days_left < 0:
        return f"overdue-week-{(-days_left - 1) // 7}"
    for threshold in (7, 30, 60):
        if days_left <= threshold:
            return f"{threshold}-days"
    return None


def policies_needing_reminder(today: date) -> QuerySet[Policy]:
    return Policy.objects.filter(
        review_due__lte=today + timedelta(days=DUE_SOON_DAYS), owner__isnull=False
    ).select_related("owner", "school")


def due_for_digest(today: date) -> list[Policy]:
    return list(
        Policy.objects.filter(review_due__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("school", "trust")
        .order_by("review_due")
    )


# --- Figures for the trustees' dashboard ----------------------------------------------------


@dataclass
class SchoolPolicyFigures:
    policies: int = 0
    overdue: int = 0
    due_soon: int = 0
    current: int = 0
    ack_expected: int = 0
    ack_done: int = 0

    @property
    def ack_rate(self) -> float | None:
        if not self.ack_expected:
            return None
        return self.ack_done / self.ack_expected

    def add(self, other: SchoolPolicyFigures) -> None:
        for f in ("policies", "overdue", "due_soon", "current", "ack_expected", "ack_done"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


def policy_figures(
    schools: list[School], today: date | None = None
) -> tuple[dict[int, SchoolPolicyFigures], SchoolPolicyFigures]:
    """Counts per school and for the trust: review status and acknowledgement coverage.

    Three queries whatever the number of schools, policies, staff or acknowledgements.
    A trust-wide policy counts once in the trust row, and in each school's row where it applies.
    """
    today = today or timezone.localdate()
    school_ids = [s.pk for s in schools]
    trust_ids = {s.trust_id for s in schools}
    policies = list(
        Policy.objects.filter(
            Q(school_id__in=school_ids) | Q(school__isnull=True, trust_id__in=trust_ids)
        ).values("pk", "school_id", "trust_id", "variant_of_id", "review_due",
                 "current_version_id", "requires_acknowledgement")
    )  # fmt: skip
    staff_counts = dict(
        Membership.objects.filter(school_id__in=school_ids, user__is_active=True)
        .values("school_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("school_id", "n")
    )
    current_versions = [p["current_version_id"] for p in policies if p["current_version_id"]]
    acks = {
        (row[0], row[1]): row[2]
        for row in Acknowledgement.objects.filter(
            version_id__in=current_versions,
            user__is_active=True,
            user__memberships__school_id__in=school_ids,
        )
        .values("user__memberships__school_id", "version_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__memberships__school_id", "version_id", "n")
    }
    variants = {(p["school_id"], p["variant_of_id"]) for p in policies if p["variant_of_id"]}
    by_pk = {s.pk: s for s in schools}
    per_school: dict[int, SchoolPolicyFigures] = defaultdict(SchoolPolicyFigures)
    trust = SchoolPolicyFigures()

    def status_into(fig: SchoolPolicyFigures, p: dict) -> None:
        fig.policies += 1
        status = _status(p["review_due"], today)
        setattr(fig, status, getattr(fig, status) + 1)

    for p in policies:
        if p["school_id"] is None:
            status_into(trust, p)
            targets = [
                s
                for s in schools
                if s.trust_id == p["trust_id"] and (s.pk, p["pk"]) not in variants
            ]
        else:
            status_into(trust, p)
            # By key, not a scan of the schools for each policy: 2,000 policies x 100 schools
            # cost ~100 ms of Python on the trustees' dashboard at scale.
            targets = [by_pk[p["school_id"]]] if p["school_id"] in by_pk else []
        for s in targets:
            fig = per_school[s.pk]
            status_into(fig, p)
            if p["requires_acknowledgement"] and p["current_version_id"]:
                fig.ack_expected += staff_counts.get(s.pk, 0)
                fig.ack_done += acks.get((s.pk, p["current_version_id"]), 0)
    for s in schools:
        trust.ack_expected += per_school[s.pk].ack_expected
        trust.ack_done += per_school[s.pk].ack_done
    return {s.pk: per_school[s.pk] for s in schools}, trust


@dataclass(frozen=True)
class OverduePolicy:
    title: str
    school_name: str  # "Trust-wide" for a policy of the whole trust
    review_due: date
    days_overdue: int


def overdue_policies(schools: list[School], today: date | None = None) -> list[OverduePolicy]:
    """The policies past their review date that apply to `schools` (issue 15): each school's
    own (local variants by their own dates) and the trust-wide ones, unless every one of these
    schools replaced it with a local variant. Titles and schools are not personal data; no
    owner is named. One query, most overdue first."""
    today = today or timezone.localdate()
    school_ids = [s.pk for s in schools]
    trust_ids = {s.trust_id for s in schools}
    rows = list(
        Policy.objects.filter(
            Q(school_id__in=school_ids) | Q(school__isnull=True, trust_id__in=trust_ids)
        )
        .values_list("pk", "title", "school_id", "school__name", "variant_of_id", "review_due")
        .order_by("review_due", "school__name", "title")
    )
    replaced: dict[int, set[int]] = defaultdict(set)
    for _pk, _title, school_id, _name, variant_of, _due in rows:
        if variant_of:
            replaced[variant_of].add(school_id)
    found = []
    for pk, title, school_id, school_name, _variant_of, due in rows:
        if due >= today:
            continue
        if school_id is None and set(school_ids) <= replaced[pk]:
            continue
        found.append(OverduePolicy(title, school_name or "Trust-wide", due, (today - due).days))
    return found


def _status(review_due: date, today: date) -> str:
    if review_due < today:
        return "overdue"
    if review_due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "current"


STATUS_LABELS = dict(ReviewStatus.choices)
