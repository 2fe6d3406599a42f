"""The main menu's entries, rendered once per combination of roles.

`partials/nav_items.html` depends only on the roles a person holds (which entries show) and
on URLs that never change while the process runs, so the rendered HTML is kept per role set:
every full page would otherwise reverse about twenty URLs to draw the same menu again.
With DEBUG on it is rendered every time, so template edits show at once.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ..context_processors import nav_flags

register = template.Library()


@lru_cache(maxsize=128)
def _rendered(school_roles: frozenset[str], trust_roles: frozenset[str]) -> str:
    return render_to_string(
        "partials/nav_items.html", {"nav": nav_flags(trust_roles, school_roles)}
    )


@register.simple_tag(takes_context=True)
def nav_items(context) -> SafeString:
    nav = context.get("nav") or {}
    key = (frozenset(nav.get("school_roles", ())), frozenset(nav.get("trust_roles", ())))
    html = _rendered.__wrapped__(*key) if settings.DEBUG else _rendered(*key)
    return mark_safe(html)  # noqa: S308  (our own template's output)
