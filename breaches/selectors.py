"""Reads of breach cases: confidential by default (section 7)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Perm, TrustRoleKind
from accounts.selectors import has_trust_role, school_ids_with_perm
from accounts.types import Viewer
from portal.home_cards import CardQuery, card_count, card_provider

from .models import BreachCase, BreachCaseUserObjectPermission, Declaration


def case_visible_to(user: Viewer) -> QuerySet[BreachCase]:
    """Cases routed to the user (per-record grant), owned by them, or any case for trust HR —
    never a case about the user, whatever their role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return BreachCase.objects.none()
    if has_trust_role(user, TrustRoleKind.TRUST_HR):
        qs = BreachCase.objects.all()
    else:
        granted = BreachCaseUserObjectPermission.objects.filter(
            user=user, permission__codename="handle_case"
        ).values("content_object_id")
        qs = BreachCase.objects.filter(Q(pk__in=granted) | Q(owner=user))
    return qs.exclude(subject=user)


def can_handle(user: User, case: BreachCase) -> bool:
    """Routed people, the owner and trust HR handle a case; never its subject."""
    return case_visible_to(user).filter(pk=case.pk).exists()


def retention_until(category: str, outcome: str, closed_on: date) -> date:
    """How long a closed case is kept (trust setting BREACH_RETENTION_YEARS; docs/architecture.md,
    "Breach reports and cases")."""
    years = settings.BREACH_RETENTION_YEARS
    n = years.get(outcome) or years.get(category) or years["default"]
    try:
        return closed_on.replace(year=closed_on.year + n)
    except ValueError:  # 29 February
        return closed_on.replace(year=closed_on.year + n, day=28)


def cases_due_for_disposal(today: date | None = None) -> QuerySet[BreachCase]:
    """Closed cases past their retention date, for trust HR to dispose of."""
    today = today or timezone.localdate()
    return BreachCase.objects.filter(status=BreachCase.Status.CLOSED, retention_until__lte=today)


# The columns the case list shows: not the descriptions and outcomes (long texts) of 50 cases,
# nor the owners' password hashes.
CASE_LIST_FIELDS = (
    "id",
    "category",
    "status",
    "created_at",
    "escalated_at",
    "school__name",
    "owner__full_name",
)


def case_list_for(user: Viewer, status: str = "") -> QuerySet[BreachCase]:
    """The case list, newest first. "open" is every status but closed, written as an exclusion
    so that it matches the partial index of open cases (breach_open_newest): the COUNT and the
    page then read the open cases only, however many closed ones there are."""
    qs = case_visible_to(user).select_related("school", "owner").only(*CASE_LIST_FIELDS)
    if status == "open":
        qs = qs.exclude(status=BreachCase.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def reports_by(user: Viewer) -> QuerySet[BreachCase]:
    """The reporter follows the status of their own reports, not their handling."""
    if not getattr(user, "is_authenticated", False):
        return BreachCase.objects.none()
    return BreachCase.objects.filter(reporter=user).exclude(subject=user)


def declarations_visible_to(user: Viewer) -> QuerySet[Declaration]:
    """Your own declarations, and all of the schools where you handle breaches (the head)."""
    if not getattr(user, "is_authenticated", False):
        return Declaration.objects.none()
    return Declaration.objects.filter(
        Q(user=user) | Q(school__in=school_ids_with_perm(user, Perm.HANDLE_BREACHES))
    )


def declarations_to_acknowledge_for(user: Viewer) -> QuerySet[Declaration]:
    """Declarations of the schools where the user handles breaches, not yet acknowledged,
    other than their own."""
    return (
        declarations_visible_to(user)
        .filter(
            acknowledged_at__isnull=True,
            school__in=school_ids_with_perm(user, Perm.HANDLE_BREACHES),
        )
        .exclude(user=user)
    )


@card_provider
def home_cards(user: Viewer) -> list[CardQuery]:
    """Cases waiting for the person, declarations to acknowledge (counted from these selectors
    with the other cards in one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cards = [
        card_count(
            "Breach reports to acknowledge",
            case_visible_to(user).filter(status=BreachCase.Status.REPORTED),
            reverse("breaches:case_list"),
            "danger",
        )
    ]
    if school_ids_with_perm(user, Perm.HANDLE_BREACHES):
        cards.append(
            card_count(
                "Declarations to acknowledge (5.5)",
                declarations_to_acknowledge_for(user),
                reverse("breaches:declaration_list"),
            )
        )
    return cards
