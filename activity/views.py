"""The audit log pages (clause 6): the trust administrators' search, its CSV export, and each
person's own activity. URL namespace "audit", templates under audit/ (unchanged when the pages
moved here from the audit app: they apply accounts' access rules, and audit sits below
accounts)."""

from __future__ import annotations

import csv
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import require
from accounts.selectors import is_trust_admin, schools_visible_to
from audit.selectors import activity_of, chain_status, iterate_in_batches, recent_chain_checks
from audit.selectors import keyset_page as _keyset_page
from audit.services import client_ip, record
from portal.csv_safety import csv_safe

from .forms import NAMESPACES, AuditFilterForm
from .selectors import entries_visible_to, filter_entries

EXPORT_FIELDS = (
    "created_at",
    "action",
    "actor_name",
    "actor_email",
    "target_type",
    "target_id",
    "target_repr",
    "school__name",
    "ip_address",
    "data",
    "entry_hash",
)


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _page(request: HttpRequest, qs):
    return _keyset_page(
        qs, before=_int_param(request, "before"), after=_int_param(request, "after")
    )


def _filtered(request: HttpRequest):
    """The search form and the entries it selects, both limited to what the user may see."""
    require(is_trust_admin(request.user), "The audit log is for trust administrators.")
    params = request.GET.copy()
    for key in ("before", "after"):
        params.pop(key, None)
    form = AuditFilterForm(params or None, schools=schools_visible_to(request.user))
    filters = form.filters()
    qs = entries_visible_to(request.user)
    qs = filter_entries(qs, filters) if filters is not None else qs.none()
    return form, qs, params


@login_required
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    form, qs, params = _filtered(request)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "query": params.urlencode(),
            "namespaces": NAMESPACES,
            "chain": chain_status(),
        },
    )


@login_required
@require_GET
def chain(request: HttpRequest) -> HttpResponse:
    """The chain checks: when the chain was last verified, the checkpoints, any break."""
    require(is_trust_admin(request.user), "The audit log is for trust administrators.")
    return render(
        request,
        "audit/chain.html",
        {"chain": chain_status(), "checks": recent_chain_checks()},
    )


def _csv_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return csv_safe(value.isoformat() if hasattr(value, "isoformat") else value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(qs, filename: str) -> StreamingHttpResponse:
    """Stream `qs` as CSV, oldest first, in keyset batches (no whole log in memory)."""
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["id", *EXPORT_FIELDS])
        for row in iterate_in_batches(qs, EXPORT_FIELDS):
            yield writer.writerow([row["id"], *(_csv_cell(row[name]) for name in EXPORT_FIELDS)])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return StreamingHttpResponse(
        rows(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}-{stamp}.csv"'},
    )


@login_required
@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    form, qs, params = _filtered(request)
    # Exporting the log is itself a disclosure of personal data, so it is recorded.
    record(
        request.user,
        "audit.exported",
        data={"filters": {k: v for k, v in params.items() if k in form.fields}},
        ip_address=client_ip(request),
    )
    return _csv_response(qs, "audit")


@login_required
@require_GET
def my_activity(request: HttpRequest) -> HttpResponse:
    return render(
        request, "audit/my_activity.html", {"page": _page(request, activity_of(request.user))}
    )


@login_required
@require_GET
def my_activity_export(request: HttpRequest) -> StreamingHttpResponse:
    """The same entries as the page, all of them, for a subject access request."""
    return _csv_response(activity_of(request.user), "my-activity")
