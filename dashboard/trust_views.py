"""The trustees' dashboard: counts and rates per school and for the trust, never names.

Trust roles (trustees, trust administrators, trust HR) see every school; a school leader with
the dashboard permission sees the same page for their own school. The figures come through
dashboard/cache.py (cached per scope for a few minutes, recomputed after the viewer's change).
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.access import require

from .cache import export_figures, page_figures
from .figures import PERIOD_CHOICES, csv_rows, dashboard_scope


class DashboardFilterForm(forms.Form):
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    period = forms.TypedChoiceField(coerce=int, choices=PERIOD_CHOICES, required=False,
                                    empty_value=12)  # fmt: skip

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All my schools")] + [(s.pk, s.name) for s in schools]


def _select(form: DashboardFilterForm, name: str) -> SafeString:
    """A filter as Bootstrap markup, built here: the widget templates (one per option) spent
    ~10 ms a request on the 100 schools of the largest trust, more than the rest of a warm
    page. Every value and label is escaped."""
    bound = form[name]
    current = "" if bound.value() is None else str(bound.value())
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if str(value) == current else ""}>'
        f"{escape(label)}</option>"
        for value, label in form.fields[name].choices
    )
    errors = "".join(
        f'<div class="invalid-feedback d-block">{escape(e)}</div>' for e in bound.errors
    )
    field_id = escape(bound.id_for_label)
    return mark_safe(  # noqa: S308 (built from escaped parts above)
        f'<div class="mb-3"><label for="{field_id}" class="form-label">{escape(bound.label)}'
        f'</label><select name="{name}" class="select form-select" id="{field_id}">{options}'
        f"</select>{errors}</div>"
    )


def _scope(request):
    probe = dashboard_scope(request.user)
    require(probe is not None, "The dashboard is for trustees and school leaders.")
    form = DashboardFilterForm(request.GET or None, schools=probe.available_schools)
    school_id, period = None, 12
    if form.is_valid():
        school_id = form.cleaned_data["school"]
        period = form.cleaned_data["period"] or 12
    return probe.narrowed(school_id, period), form


@login_required
def trust_dashboard(request):
    scope, form = _scope(request)
    figures = page_figures(scope, request.user)
    return render(
        request,
        "dashboard/trust.html",
        {
            "scope": scope,
            "filters": [_select(form, "school"), _select(form, "period")],
            "figures_html": figures.html,
            "figures_as_of": figures.computed_at,
        },
    )


@login_required
def trust_dashboard_csv(request):
    scope, _ = _scope(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="trust-dashboard-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    for row in csv_rows(scope, export_figures(scope, request.user).tables):
        writer.writerow(row)
    return response
