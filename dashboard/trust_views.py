"""The trustees' dashboard: counts and rates per school and for the trust, never names.

Trust roles (trustees, trust administrators, trust HR) see every school; a school leader with
the dashboard permission sees the same page for their own school.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import require

from .figures import PERIOD_CHOICES, csv_rows, dashboard_scope, trust_figures


class DashboardFilterForm(forms.Form):
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    period = forms.TypedChoiceField(coerce=int, choices=PERIOD_CHOICES, required=False,
                                    empty_value=12)  # fmt: skip

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All my schools")] + [(s.pk, s.name) for s in schools]


def _scope(request):
    probe = dashboard_scope(request.user)
    require(probe is not None, "The dashboard is for trustees and school leaders.")
    form = DashboardFilterForm(request.GET or None, schools=probe.available_schools)
    school_id, period = None, 12
    if form.is_valid():
        school_id = form.cleaned_data["school"]
        period = form.cleaned_data["period"] or 12
    if school_id is None and period == 12:
        return probe, form
    return dashboard_scope(request.user, school_id=school_id, period_months=period), form


@login_required
def trust_dashboard(request):
    scope, form = _scope(request)
    return render(
        request,
        "dashboard/trust.html",
        {"scope": scope, "form": form, "tables": trust_figures(scope)},
    )


@login_required
def trust_dashboard_csv(request):
    scope, _ = _scope(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="trust-dashboard-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    for row in csv_rows(scope, trust_figures(scope)):
        writer.writerow(row)
    return response
