"""Session lifetime and the two-factor requirement, applied to every request."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .selectors import requires_two_factor

SESSION_STARTED = "portal_started_at"
SESSION_SEEN = "portal_last_seen_at"

# Paths a signed-in person may reach before completing their second factor.
TWO_FACTOR_EXEMPT_PREFIXES = ("/static/", "/accounts/", "/register/", "/healthz")


class SessionLifetimeMiddleware:
    """Ends a session after 30 minutes idle or 12 hours in all (issue: sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() or (
                seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            ):
                logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
            # Write at most once a minute to spare the session table.
            if seen is None or now - seen > 60:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Roles above teacher must have passed a second factor in this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
