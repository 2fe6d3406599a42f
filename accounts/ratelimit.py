"""A limit per account across addresses for password sign-in (issue 14, "Sign-in lockout").

django-axes locks the pair (email, address) after AXES_FAILURE_LIMIT failures; someone who
changes address for every guess is not slowed by it. This adds a second limit that counts an
account's failures from every address (axes's own failure log, AXES_ENABLE_ACCESS_FAILURE_LOG),
without letting an attacker lock the real person out:

- after SIGNIN_ACCOUNT_FAILURE_LIMIT failures within SIGNIN_ACCOUNT_WINDOW, password attempts
  for that account are refused until the oldest of them leaves the window (at most the window,
  15 minutes by default): guessing is slowed to that many tries per window, whatever the
  number of addresses;
- a browser the person has signed in from before carries a signed device cookie (OWASP's
  "device cookies"); attempts from it are not refused by this limit (axes still counts them),
  so the real person on their usual device is never held up by someone else's guessing.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessFailureLog
from django.conf import settings
from django.core import signing
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audit.services import record

DEVICE_COOKIE = "portal_device"
THROTTLED_MESSAGE = (
    "There have been too many wrong passwords for this account from other places. Wait 15 "
    "minutes and try again, or sign in from a device you have used before."
)
_SALT = "accounts.ratelimit.device"


def _limit() -> int:
    return int(getattr(settings, "SIGNIN_ACCOUNT_FAILURE_LIMIT", 20))


def _window() -> timedelta:
    return getattr(settings, "SIGNIN_ACCOUNT_WINDOW", timedelta(minutes=15))


def _recent_failures(username: str):
    since = timezone.now() - _window()
    return AccessFailureLog.objects.filter(username=username, attempt_time__gte=since)


def known_device(request: HttpRequest, email: str) -> bool:
    """Whether this browser signed in to the account `email` before (signed cookie)."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return False
    try:
        data = signing.loads(value, salt=_SALT, max_age=timedelta(days=365))
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("e") == email


def account_throttled(request: HttpRequest, username: str) -> bool:
    """True when a password attempt for `username` (axes's key: the email, lower-cased) must
    be refused now. One indexed COUNT."""
    if not username or known_device(request, username):
        return False
    limit = _limit()
    if _recent_failures(username)[: limit + 1].count() < limit:
        return False
    record(None, "auth.account_throttled", data={"email": username})
    return True


def remember_device(response: HttpResponse, email: str) -> None:
    """After a successful password sign-in: this browser is known to the account."""
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"e": email}, salt=_SALT),
        max_age=365 * 24 * 3600,
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


def refused_form(form_class, request: HttpRequest):
    """The sign-in form as sent, with the refusal as its error and the password never checked
    (so the refused attempt is no guess)."""
    form = form_class(request, data=request.POST)
    form._errors = ErrorDict()
    form.cleaned_data = {}
    form.add_error(None, THROTTLED_MESSAGE)
    return form
