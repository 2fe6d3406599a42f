"""What every page's navigation needs to know about the person signed in."""

from django.conf import settings

from .middleware import needs_second_factor
from .roles import Perm, TrustRoleKind
from .selectors import school_roles_of, trust_roles_of


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"trust_name": settings.TRUST_NAME}
    trust_roles = trust_roles_of(user)
    roles = {role for _, role in school_roles_of(user)}
    return {
        "trust_name": settings.TRUST_NAME,
        "nav": {
            "trust_roles": trust_roles,
            "school_roles": roles,
            "is_trust_admin": TrustRoleKind.TRUST_ADMIN in trust_roles,
            "is_trustee": TrustRoleKind.TRUSTEE in trust_roles,
            "is_trust_hr": TrustRoleKind.TRUST_HR in trust_roles,
            "perm": Perm,
            # Signed in with a password only: show no menu until the second factor is given.
            "second_factor_pending": needs_second_factor(user),
        },
    }
