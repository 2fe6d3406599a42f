"""No query string can cause a server error (issue 14, "Smaller holes").

A NUL byte in a GET parameter reached PostgreSQL, which refuses it in text (a 500 on every
search box). Rather than guard each view, this middleware answers 400 for a query string that
no form of ours could have produced: a NUL or other control character in a name or value,
bytes that are not UTF-8, or more than MAX_QUERY_LENGTH characters. Everything else reaches
the views, whose forms and filters treat a bad value as no value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

MAX_QUERY_LENGTH = 4096
# C0 controls but tab, line feed and carriage return (a textarea's value may hold them), DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def bad_query_string(raw: str) -> bool:
    """Whether the raw query string is one to refuse."""
    if not raw:
        return False
    if len(raw) > MAX_QUERY_LENGTH:
        return True
    try:
        text = unquote_to_bytes(raw.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return bool(_CONTROL.search(text))


class QueryStringGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if bad_query_string(request.META.get("QUERY_STRING", "")):
            return HttpResponse(render_to_string("400.html"), status=400)
        return self.get_response(request)
