"""Session lifetime and the two-factor requirement, applied to every request (issue: Sign-in)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .selectors import _cache, requires_two_factor

SESSION_STARTED = "portal_started_at"
SESSION_SEEN = "portal_last_seen_at"

# Pages a person signed in with a password may reach before their second factor: the
# second-factor page itself, signing out and password reset. Everything else waits.
TWO_FACTOR_EXEMPT_URL_NAMES = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:two_factor",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:invite_accept",
        "accounts:sso_start",
        "accounts:emergency_sign_in",
        "openid_connect_callback",
        "healthz",
    }
)
# Public pages (the consent register form for parents) and assets need no sign-in at all.
TWO_FACTOR_EXEMPT_PREFIXES = ("/static/", "/register/", "/healthz", "/scim/")


def _redirect(request, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests, which would otherwise swap the login
    page into a fragment of the page."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def start_session_clock(request) -> None:
    """Called at sign-in so the 12-hour limit counts from the password, not a later page."""
    now = timezone.now().timestamp()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def session_time_left(request) -> tuple[int, bool]:
    """Seconds until this session ends if nothing more happens, and whether activity can push
    that back (the idle limit) or not (the 12-hour limit). For the time-out warning of
    base.html (WCAG 2.2.1) and accounts:session_extend."""
    now = timezone.now().timestamp()
    seen = request.session.get(SESSION_SEEN, now)
    started = request.session.get(SESSION_STARTED, now)
    idle_left = settings.SESSION_IDLE_TIMEOUT.total_seconds() - (now - seen)
    absolute_left = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() - (now - started)
    if absolute_left <= idle_left:
        return max(0, int(absolute_left)), False
    return max(0, int(idle_left)), True


def session_touch(request) -> None:
    """Count this request as activity now (the person chose to stay signed in)."""
    request.session[SESSION_SEEN] = timezone.now().timestamp()


class SessionLifetimeMiddleware:
    """Ends a session after 30 minutes idle or 12 hours in all (issue: Sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get(SESSION_STARTED)
            seen = request.session.get(SESSION_SEEN)
            if started is None:
                # Sessions made without the sign-in view (e.g. after an invitation).
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() or (
                seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            ):
                logout(request)
                return _redirect(request, f"{reverse(settings.LOGIN_URL)}?expired=1")
            # Write at most once a minute to spare the session table.
            if seen is None or now - seen > 60:
                request.session[SESSION_SEEN] = now
            response = self.get_response(request)
            if request.headers.get("HX-Request") == "true" and hasattr(request, "session"):
                # An htmx action counts as activity: the page's time-out warning starts again.
                expires_in, extendable = session_time_left(request)
                response["X-Session-Expires-In"] = str(expires_in)
                response["X-Session-Extendable"] = "1" if extendable else "0"
            return response
        return self.get_response(request)


def needs_second_factor(user) -> bool:
    """Signed in with a password but not yet with the second factor they must give.

    Required for every role above teacher; also for anyone who chose to enrol, or a stolen
    password alone would open an account whose owner asked for more.
    """
    if not user.is_authenticated or user.is_verified():
        return False
    if requires_two_factor(user):
        return True
    # Asked by the middleware and again by the menu's context processor: once per request.
    cache = _cache(user)
    if "has_confirmed_device" not in cache:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        cache["has_confirmed_device"] = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).exists()
    return cache["has_confirmed_device"]


class TwoFactorRequiredMiddleware:
    """Sends a person who still owes a second factor to `accounts:two_factor`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # process_view, not __call__: the resolved URL name is known here, so exemptions are
        # exact names rather than path prefixes that could cover too much.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_URL_NAMES:
            return None
        if not needs_second_factor(user):
            return None
        query = urlencode({"next": request.get_full_path()})
        return _redirect(request, f"{reverse('accounts:two_factor')}?{query}")
