"""Staying signed in (WCAG 2.2.1): the time-out warning's "Stay signed in" button."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..middleware import session_time_left, session_touch


@require_POST
@login_required
@never_cache
def session_extend(request: HttpRequest) -> JsonResponse:
    """Count the press as activity, so the idle clock starts again; say how long is left.

    The session middleware has already signed out a session that ran out, so this only ever
    extends a live one. It cannot push back the 12-hour limit from sign-in."""
    session_touch(request)
    expires_in, extendable = session_time_left(request)
    return JsonResponse({"expires_in": expires_in, "extendable": extendable})
