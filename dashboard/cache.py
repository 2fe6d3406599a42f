"""The trustees' dashboard's figures, cached per scope (issue 9: "summaries ... cached with
correct invalidation, never stale for a trustee by more than a few minutes and never wrong
after a change they made").

What is cached, in Django's default cache (Redis in production, locmem in development):
- "tables": the FigureTables of a scope (the CSV export reads them);
- "page": the rendered HTML of the figures part of the page (`dashboard/_figures.html`), so a
  warm request renders no table cell. It is rendered without a request: no CSRF token, no
  user, nothing per person; the same fragment serves everyone with the same scope.

The key holds everything the output depends on: the schools (ids and names), whether it is
the trust view, whether a school filter was chosen, the period, today's date and
FIGURES_VERSION (raise it when a provider or the fragment changes what it shows).

An entry is used only when (1) it was computed less than settings.DASHBOARD_CACHE_SECONDS
ago and (2) it was computed after the viewer's own last change: every audited change
(`audit.services.record`) sends `audit.signals.change_committed` once its transaction has
committed, and `note_change` remembers "user X changed something at T". The entry and that
marker come back in one `get_many`. An entry's time is taken *before* its queries run, so
figures whose reading overlapped the change count as older than it. Other people's changes
show within the TTL. A cache that fails is treated as empty: the figures are computed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .figures import FigureTable, Scope, trust_figures

logger = logging.getLogger(__name__)

# 2: suppressed chart markers, hidden medians (issue 18); 3: per viewer (issue 14); 4: overdue
# policies named and review follow-ups (issue 15)
FIGURES_VERSION = 4
FRAGMENT_TEMPLATE = "dashboard/_figures.html"
# A change marker outlives every entry it could make stale (entries die after the TTL).
MARKER_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class DashboardFigures:
    computed_at: datetime  # when the figures were read (aware, UTC)
    from_cache: bool
    tables: list[FigureTable] | None = None
    html: SafeString | None = None


def ttl() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 0) or 0)


def scope_key(scope: Scope, kind: str) -> str:
    schools = "|".join(f"{s.pk}:{s.name}" for s in scope.schools)
    digest = hashlib.sha256(schools.encode()).hexdigest()[:40]
    view = "trust" if scope.trust_view else "school"
    chosen = "one" if scope.filtered_school is not None else "all"
    # Breach figures leave out the cases the viewer may not see (issue 14): per viewer.
    viewer = getattr(scope.viewer, "pk", None) or "-"
    return (
        f"dashboard:v{FIGURES_VERSION}:{kind}:{view}:{chosen}:{scope.period_months}"
        f":{scope.today.isoformat()}:{digest}:{viewer}"
    )


def changed_key(user_id: int) -> str:
    return f"dashboard:changed:{user_id}"


def note_change(sender=None, *, actor_id: int, **kwargs) -> None:
    """Receiver of audit.signals.change_committed: the actor's next view recomputes."""
    if ttl() > 0:
        cache.set(changed_key(actor_id), time.time(), ttl() + MARKER_MARGIN_SECONDS)


_INDENT = re.compile(r"\s*\n\s*")


def render_fragment(tables: list[FigureTable]) -> SafeString:
    """The figures' HTML. Indentation is dropped (a line break stays wherever there was
    whitespace, so the page reads the same): 295 kB become 121 kB on the scale data."""
    html = render_to_string(FRAGMENT_TEMPLATE, {"tables": tables})
    return mark_safe(_INDENT.sub("\n", html))  # noqa: S308 (the template escaped it)


def _lookup(key: str, user_id: int | None) -> dict | None:
    keys = [key] + ([changed_key(user_id)] if user_id is not None else [])
    try:
        found = cache.get_many(keys)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("dashboard cache unavailable; computing the figures", exc_info=True)
        return None
    entry = found.get(key)
    if entry is None or time.time() - entry["at"] >= ttl():
        return None
    changed = found.get(changed_key(user_id)) if user_id is not None else None
    if changed is not None and entry["at"] <= changed:
        return None
    return entry


def _store(entries: dict[str, dict]) -> None:
    try:
        cache.set_many(entries, ttl())
    except Exception:
        logger.warning("dashboard cache unavailable; figures not stored", exc_info=True)


def _pack_html(html: str) -> bytes:
    # zlib: 121 kB of HTML are 6 kB in the cache, read on every warm request.
    return zlib.compress(html.encode(), 6)


def _unpack_html(packed: bytes) -> SafeString:
    # render_fragment's output, escaped by the template when it was rendered.
    return mark_safe(zlib.decompress(packed).decode())  # noqa: S308


def _stamp(at: float) -> datetime:
    return datetime.fromtimestamp(at, tz=UTC)


def _compute(scope: Scope, render: bool) -> tuple[float, list[FigureTable], SafeString | None]:
    at = time.time()  # before the queries: see the module's docstring
    tables = trust_figures(scope)
    return at, tables, render_fragment(tables) if render else None


def page_figures(scope: Scope, user) -> DashboardFigures:
    """The rendered figures of `scope` for the page (and its print layout)."""
    return _figures(scope, user, "page", lambda e: {"html": _unpack_html(e["html"])})


def export_figures(scope: Scope, user) -> DashboardFigures:
    """The FigureTables of `scope` for the CSV export (the same figures as the page)."""
    return _figures(scope, user, "tables", lambda e: {"tables": e["tables"]})


def _figures(scope: Scope, user, kind: str, unpack: Callable[[dict], dict]) -> DashboardFigures:
    page = kind == "page"
    if ttl() <= 0:
        at, tables, html = _compute(scope, render=page)
        return DashboardFigures(_stamp(at), False, tables=tables, html=html)
    key = scope_key(scope, kind)
    entry = _lookup(key, getattr(user, "pk", None))
    if entry is not None:
        return DashboardFigures(_stamp(entry["at"]), True, **unpack(entry))
    at, tables, html = _compute(scope, render=page)
    entries = {scope_key(scope, "tables"): {"at": at, "tables": tables}}
    if page:
        entries[key] = {"at": at, "html": _pack_html(html)}
    _store(entries)
    return DashboardFigures(_stamp(at), False, tables=tables, html=html)
