"""Reads about schools and people. Every list of schools, people or school-owned records a
user sees starts from these querysets (STYLE.md: one `visible_to` per model)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import (
    LeaverEvent,
    Membership,
    School,
    SchoolUserObjectPermission,
    Trust,
    TrustRole,
    User,
)
from .roles import (
    TRUST_ROLE_PERMISSIONS,
    TWO_FACTOR_FREE_SCHOOL_ROLES,
    Perm,
    SchoolRole,
    TrustRoleKind,
)
from .types import Viewer


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
            Membership.objects.filter(user=user).order_by().values_list("school_id", "role")
        )
    return cache["school_roles"]


def has_trust_role(user: Viewer, *roles: str) -> bool:
    return bool(trust_roles_of(user) & set(roles))


def is_trust_admin(user: Viewer) -> bool:
    return has_trust_role(user, TrustRoleKind.TRUST_ADMIN)


def requires_two_factor(user: Viewer) -> bool:
    """Every role above teacher signs in with a second factor (issue: sign-in)."""
    if trust_roles_of(user):
        return True
    return any(role not in TWO_FACTOR_FREE_SCHOOL_ROLES for _, role in school_roles_of(user))


def _school_perms(user) -> dict[str, frozenset[int]]:
    """Every school permission the user holds, as {codename: school ids}: through a role at the
    school (guardian grant) or a trust-wide role that carries it. At most two queries, once per
    user object (a request's `request.user`), however many checks a page makes."""
    cache = _cache(user)
    if "school_perms" not in cache:
        perms: dict[str, set[int]] = {}
        grants = SchoolUserObjectPermission.objects.filter(user=user).values_list(
            "permission__codename", "content_object_id"
        )
        for codename, school_id in grants:
            perms.setdefault(codename, set()).add(int(school_id))
        if trust_roles_of(user):
            trust_schools = School.objects.filter(trust__roles__user=user).values_list(
                "pk", "trust__roles__role"
            )
            for school_id, role in trust_schools:
                for codename in TRUST_ROLE_PERMISSIONS.get(role, ()):
                    perms.setdefault(codename, set()).add(school_id)
        cache["school_perms"] = {k: frozenset(v) for k, v in perms.items()}
    return cache["school_perms"]


def forget_cached_roles(user: Viewer) -> None:
    """Drop what this user object remembers of its roles (after a service changed them)."""
    _cache(user).clear()  # in place: `request.user` is a lazy proxy to the user object


def school_ids_with_perm(user: Viewer, perm: str) -> list[int]:
    """Ids of the schools where `user` holds the object permission `perm` (sorted; empty for
    anonymous or inactive people). A plain list: `filter(school__in=...)` then compiles to a
    short `IN (...)` instead of a permission subquery in every query of the page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return sorted(_school_perms(user).get(perm, ()))


def schools_visible_to(user: Viewer, perm: str | None = None) -> QuerySet[School]:
    """Schools the user may see (any role there) or, with `perm`, may act on."""
    if perm is not None:
        return School.objects.filter(pk__in=school_ids_with_perm(user, perm))
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return School.objects.none()
    if trust_roles_of(user):
        return School.objects.filter(trust__roles__user=user).distinct()
    return School.objects.filter(memberships__user=user).distinct()


def user_has_school_perm(user: Viewer, perm: str, school: School | int) -> bool:
    school_id = school if isinstance(school, int) else school.pk
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return school_id in _school_perms(user).get(perm, ())


def staff_of_school(school: School | int) -> QuerySet[User]:
    """Active people holding any role at the school (form choices: owners, subjects...)."""
    return User.objects.filter(is_active=True, memberships__school=school).distinct()


def people_visible_to(user: Viewer) -> QuerySet[User]:
    """People the user may see: staff of schools where they may view staff, holders of trust
    roles in their trust (for trust roles that may view staff), and themselves.

    Trust administrators also see people who hold no role at all (every role removed): one
    trust per installation in practice, and someone must be able to deactivate them.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    condition = Q(
        pk__in=Membership.objects.filter(
            school__in=school_ids_with_perm(user, Perm.VIEW_STAFF)
        ).values("user_id")
    ) | Q(pk=user.pk)
    staff_viewing = [
        r for r in trust_roles_of(user) if Perm.VIEW_STAFF in TRUST_ROLE_PERMISSIONS[r]
    ]
    if staff_viewing:
        condition |= Q(
            pk__in=TrustRole.objects.filter(
                trust__in=TrustRole.objects.filter(user=user, role__in=staff_viewing).values(
                    "trust_id"
                )
            ).values("user_id")
        )
    if is_trust_admin(user):
        condition |= ~Exists(Membership.objects.filter(user=OuterRef("pk"))) & ~Exists(
            TrustRole.objects.filter(user=OuterRef("pk"))
        )
    return User.objects.filter(condition)


def trust_administered_by(user: Viewer) -> Trust | None:
    """The trust in which `user` is a trust administrator (None if they are not one)."""
    if not is_trust_admin(user):
        return None
    cache = _cache(user)
    if "admin_trust" not in cache:
        cache["admin_trust"] = Trust.objects.filter(
            roles__user=user, roles__role=TrustRoleKind.TRUST_ADMIN
        ).first()
    return cache["admin_trust"]


def schools_administered_by(user: Viewer) -> QuerySet[School]:
    """Schools a trust administrator manages: every school of their trust (form choices)."""
    if not is_trust_admin(user):
        return School.objects.none()
    return School.objects.filter(
        trust__roles__user=user, trust__roles__role=TrustRoleKind.TRUST_ADMIN
    )


def school_list(user: Viewer) -> QuerySet[School]:
    """The schools page: administered schools with domains and headteacher, fixed queries."""
    return schools_administered_by(user).prefetch_related(
        "email_domains",
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(role=SchoolRole.HEADTEACHER).select_related("user"),
            to_attr="headteacher_memberships",
        ),
    )


def people_list(
    user: Viewer,
    *,
    search: str = "",
    school: School | None = None,
    role: str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """The people page: `people_visible_to(user)` filtered, roles prefetched (fixed queries).

    `school` must come from `schools_visible_to(user)` (the filter form restricts it).
    `role` is a SchoolRole or TrustRoleKind value.
    """
    qs = people_visible_to(user)
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if school is not None:
        qs = qs.filter(pk__in=Membership.objects.filter(school=school).values("user_id"))
    if role in SchoolRole.values:
        members = Membership.objects.filter(role=role)
        if school is not None:
            members = members.filter(school=school)
        qs = qs.filter(pk__in=members.values("user_id"))
    elif role in TrustRoleKind.values:
        qs = qs.filter(pk__in=TrustRole.objects.filter(role=role).values("user_id"))
    if active is not None:
        qs = qs.filter(is_active=active)
    visible_schools = schools_visible_to(user)
    return qs.order_by("full_name", "pk").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(school__in=visible_schools).select_related("school"),
        ),
        "trust_roles",
    )


def person_detail(user: Viewer, pk) -> User:
    """One person through the access helper (404 outside `people_visible_to(user)`)."""
    from .access import get_visible_or_404

    return get_visible_or_404(
        user,
        people_visible_to(user).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    school__in=schools_visible_to(user)
                ).select_related("school"),
            ),
            "trust_roles",
        ),
        pk=pk,
    )


def invitation_pending(user: User) -> bool:
    """Invited and has not yet set a password through the link."""
    return bool(user.invited_at) and user.is_active and not user.has_usable_password()


def leaver_events_of(user: User) -> QuerySet[LeaverEvent]:
    return LeaverEvent.objects.filter(user=user).select_related("actor")


def record_ids_granted(user: Viewer, perm: str, model: type[Model]) -> QuerySet:
    """Ids of `model` records shared with `user` one by one (per-record grants made with
    accounts.services.grant_record_access), as a subquery for a `visible_to` selector."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return model._default_manager.none().values("pk")
    codename = perm.split(".", 1)[-1]
    return get_objects_for_user(
        user,
        f"{model._meta.app_label}.{codename}",
        klass=model,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    ).values("pk")


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
