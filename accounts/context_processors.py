"""What every page's navigation needs to know about the person signed in."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .middleware import needs_second_factor, session_time_left
from .roles import Perm, TrustRoleKind
from .selectors import school_roles_of, trust_roles_of


def nav_flags(trust_roles: frozenset[str], school_roles: set[str] | frozenset[str]) -> dict:
    """What the menu shows, from the roles alone (partials/nav_items.html)."""
    return {
        "trust_roles": trust_roles,
        "school_roles": school_roles,
        "is_trust_admin": TrustRoleKind.TRUST_ADMIN in trust_roles,
        "is_trustee": TrustRoleKind.TRUSTEE in trust_roles,
        "is_trust_hr": TrustRoleKind.TRUST_HR in trust_roles,
        "perm": Perm,
    }


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"trust_name": settings.TRUST_NAME}

    def menu() -> dict:
        nav = nav_flags(trust_roles_of(user), {role for _, role in school_roles_of(user)})
        # Signed in with a password only: show no menu until the second factor is given.
        nav["second_factor_pending"] = needs_second_factor(user)
        return nav

    expires_in, extendable = session_time_left(request)
    return {
        "trust_name": settings.TRUST_NAME,
        # Lazy: a fragment without the menu (the bell, htmx partials) reads no roles.
        "nav": SimpleLazyObject(menu),
        # For the time-out warning in base.html (WCAG 2.2.1).
        "session_expires_in": expires_in,
        "session_extendable": extendable,
    }
