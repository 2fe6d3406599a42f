"""Step-up: a view demands password and TOTP again, fresh within STEP_UP_VALIDITY.

Used before sensitive actions such as revealing an escrowed password (clause 4.5c):

    @step_up_required
    def reveal(request, pk): ...

A GET without a fresh step-up goes to the step-up page and comes back. A POST is never
replayed (its body is not kept): the person returns to the GET form of the same URL and
submits again, so the action is neither lost silently nor done without the check.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

STEP_UP_SESSION_KEY = "portal_step_up_at"


def mark_step_up(request: HttpRequest) -> None:
    """Record a passed step-up and change the session key (fixation defence)."""
    request.session.cycle_key()
    request.session[STEP_UP_SESSION_KEY] = timezone.now().timestamp()


def has_fresh_step_up(request: HttpRequest) -> bool:
    """True when this session passed a step-up less than STEP_UP_VALIDITY ago."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    at = request.session.get(STEP_UP_SESSION_KEY)
    if at is None:
        return False
    age = timezone.now().timestamp() - float(at)
    return 0 <= age <= settings.STEP_UP_VALIDITY.total_seconds()


def step_up_url(next_url: str) -> str:
    return f"{reverse('accounts:step_up')}?{urlencode({'next': next_url})}"


def step_up_required(view_func):
    """Decorator: run the view only after a fresh step-up (see module docstring)."""

    @wraps(view_func)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if has_fresh_step_up(request):
            return view_func(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            return redirect(step_up_url(request.get_full_path()))
        messages.info(
            request,
            "Please confirm it is you, then submit again: nothing was changed yet.",
        )
        return redirect(step_up_url(request.get_full_path()))

    return wrapper
