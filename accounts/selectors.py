"""Reads about schools and people. Every list of schools, people or school-owned records a
user sees starts from these querysets (STYLE.md: one `visible_to` per model)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from .models import Membership, School, SchoolUserObjectPermission, TrustRole, User
from .roles import TRUST_ROLE_PERMISSIONS, TWO_FACTOR_FREE_SCHOOL_ROLES, SchoolRole, TrustRoleKind


def _cache(user) -> dict:
    # Role look-ups are asked many times per request; keep them on the user object.
    if not hasattr(user, "_portal_cache"):
        user._portal_cache = {}
    return user._portal_cache


def trust_roles_of(user: User | AnonymousUser) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = _cache(user)
    if "trust_roles" not in cache:
        cache["trust_roles"] = frozenset(
            TrustRole.objects.filter(user=user).values_list("role", flat=True)
        )
    return cache["trust_roles"]


def school_roles_of(user: User | AnonymousUser) -> frozenset[tuple[int, str]]:
    """(school_id, role) pairs the user holds."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = _cache(user)
    if "school_roles" not in cache:
        cache["school_roles"] = frozenset(
            Membership.objects.filter(user=user).values_list("school_id", "role")
        )
    return cache["school_roles"]


def has_trust_role(user, *roles: str) -> bool:
    return bool(trust_roles_of(user) & set(roles))


def is_trust_admin(user) -> bool:
    return has_trust_role(user, TrustRoleKind.TRUST_ADMIN)


def requires_two_factor(user) -> bool:
    """Every role above teacher signs in with a second factor (issue: sign-in)."""
    if trust_roles_of(user):
        return True
    return any(role not in TWO_FACTOR_FREE_SCHOOL_ROLES for _, role in school_roles_of(user))


def school_ids_with_perm(user, perm: str) -> QuerySet:
    """A subquery of the ids of schools where `user` holds the object permission `perm`,
    through a role at the school (guardian grant) or a trust-wide role that carries it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return School.objects.none().values("pk")
    trust_wide = [r for r in trust_roles_of(user) if perm in TRUST_ROLE_PERMISSIONS.get(r, ())]
    condition = Q(
        pk__in=SchoolUserObjectPermission.objects.filter(
            user=user, permission__codename=perm
        ).values("content_object_id")
    )
    if trust_wide:
        condition |= Q(trust__roles__user=user, trust__roles__role__in=trust_wide)
    return School.objects.filter(condition).values("pk")


def schools_visible_to(user, perm: str | None = None) -> QuerySet[School]:
    """Schools the user may see (any role there) or, with `perm`, may act on."""
    if perm is not None:
        return School.objects.filter(pk__in=school_ids_with_perm(user, perm))
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return School.objects.none()
    if trust_roles_of(user):
        return School.objects.filter(trust__roles__user=user).distinct()
    return School.objects.filter(memberships__user=user).distinct()


def user_has_school_perm(user, perm: str, school: School | int) -> bool:
    school_id = school if isinstance(school, int) else school.pk
    cache = _cache(user)
    key = ("perm", perm)
    if key not in cache:
        cache[key] = frozenset(
            School.objects.filter(pk__in=school_ids_with_perm(user, perm)).values_list(
                "pk", flat=True
            )
        )
    return school_id in cache[key]


def staff_of_school(school: School | int) -> QuerySet[User]:
    """Active people holding any role at the school (form choices: owners, subjects...)."""
    return User.objects.filter(is_active=True, memberships__school=school).distinct()


def people_visible_to(user) -> QuerySet[User]:
    """People the user may see: staff of schools where they may view staff, and themselves."""
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    return User.objects.filter(
        Q(memberships__school__in=school_ids_with_perm(user, "view_staff")) | Q(pk=user.pk)
    ).distinct()


def headteacher_of(school: School | int) -> User | None:
    m = (
        Membership.objects.filter(school=school, role=SchoolRole.HEADTEACHER, user__is_active=True)
        .select_related("user")
        .first()
    )
    return m.user if m else None


def holders_of_role(school: School | int, *roles: str) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__school=school, memberships__role__in=roles
    ).distinct()


def trust_role_holders(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, trust_roles__role__in=roles).distinct()
