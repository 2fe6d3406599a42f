"""Rate limits of the carers' pages (issue 17): per link and per address.

A fixed window counted in the default cache (Redis in production, shared by every worker;
local memory in development and tests). `cache.add` starts a window, `cache.incr` counts in it,
both atomic in Redis, so concurrent requests are counted once each.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _limits() -> dict[str, Limit]:
    conf = getattr(settings, "CONSENT_ROUND_LIMITS", {})
    return {
        # Every request of the carers' pages from one address (a school's shared connection
        # stays well inside it: a carer needs a handful of requests).
        "address": Limit("address", conf.get("address", 120), 600),
        # Letter codes typed from one address: guessing is the only reason to need more.
        "code": Limit("code", conf.get("code", 10), 600),
        # Requests on one link, whoever makes them.
        "link": Limit("link", conf.get("link", 60), 3600),
    }


def hit(kind: str, key: str) -> bool:
    """Count one request; False when the limit of `kind` for `key` is exceeded."""
    limit = _limits()[kind]
    cache_key = f"consents.round.limit:{kind}:{key}"
    if cache.add(cache_key, 1, limit.seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr
        cache.add(cache_key, 1, limit.seconds)
        return True
    return count <= limit.count
