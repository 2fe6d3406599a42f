"""Reads of breach cases: confidential by default (section 7)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.roles import Perm, TrustRoleKind
from accounts.selectors import has_trust_role, school_ids_with_perm

from .models import BreachCase, BreachCaseUserObjectPermission, Declaration


def case_visible_to(user) -> QuerySet[BreachCase]:
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


def case_list_for(user, status: str = "") -> QuerySet[BreachCase]:
    qs = case_visible_to(user).select_related("school", "owner")
    if status == "open":
        qs = qs.exclude(status=BreachCase.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def reports_by(user) -> QuerySet[BreachCase]:
    """The reporter follows the status of their own reports, not their handling."""
    if not getattr(user, "is_authenticated", False):
        return BreachCase.objects.none()
    return BreachCase.objects.filter(reporter=user).exclude(subject=user)


def declarations_visible_to(user) -> QuerySet[Declaration]:
    """Your own declarations, and all of the schools where you handle breaches (the head)."""
    if not getattr(user, "is_authenticated", False):
        return Declaration.objects.none()
    return Declaration.objects.filter(
        Q(user=user) | Q(school__in=school_ids_with_perm(user, Perm.HANDLE_BREACHES))
    )


def home_cards(user) -> list:
    """Cases waiting for the person, declarations to acknowledge (fixed queries)."""
    from django.urls import reverse

    from dashboard.selectors import HomeCard

    cards = []
    waiting = case_visible_to(user).filter(status=BreachCase.Status.REPORTED).count()
    if waiting:
        cards.append(
            HomeCard(
                "Breach reports to acknowledge", waiting, reverse("breaches:case_list"), "danger"
            )
        )
    if school_ids_with_perm(user, Perm.HANDLE_BREACHES):
        pending = (
            declarations_visible_to(user)
            .filter(acknowledged_at__isnull=True)
            .exclude(user=user)
            .count()
        )
        if pending:
            cards.append(
                HomeCard(
                    "Declarations to acknowledge (5.5)",
                    pending,
                    reverse("breaches:declaration_list"),
                )
            )
    return cards
