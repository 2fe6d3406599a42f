"""Pages of the data protection officer (issue 19): subject access requests and bundles,
erasure and rectification requests, the retention report. Thin: access, one service, render.
Everyone but a DPO gets 403 on the lists and 404 on a request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_visible_or_404, require

from . import retention, selectors, services
from .forms import DecideForm, PersonForm, RightsRequestForm
from .models import SubjectAccessRequest


def _require_dpo(request: HttpRequest) -> None:
    require(services.is_dpo(request.user), "This page is for the data protection officer.")


def _sar(request: HttpRequest, pk: int) -> SubjectAccessRequest:
    return get_visible_or_404(request.user, selectors.requests_visible_to(request.user), pk=pk)


def _page(request: HttpRequest, qs):
    return Paginator(qs, 25).get_page(request.GET.get("page"))


@login_required
def sar_list(request: HttpRequest) -> HttpResponse:
    _require_dpo(request)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = services.sar_create(
                actor=request.user, person=form.person, received_on=form.cleaned_data["received_on"]
            )
        except services.PrivacyError as exc:
            form.add_error("received_on", str(exc))
        else:
            messages.success(request, f"Request recorded. Respond by {sar.due_on:%-d %B %Y}.")
            return redirect("privacy:sar_detail", pk=sar.pk)
    return render(
        request,
        "privacy/sar_list.html",
        {
            "form": form,
            "page": _page(request, selectors.requests_visible_to(request.user)),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def sar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sar = _sar(request, pk)
    return render(
        request,
        "privacy/sar_detail.html",
        {
            "sar": sar,
            "today": timezone.localdate(),
            "days_left": (sar.due_on - timezone.localdate()).days,
        },
    )


@login_required
@require_POST
def sar_download(request: HttpRequest, pk: int) -> HttpResponse:
    sar = _sar(request, pk)
    try:
        content = services.sar_produce(actor=request.user, sar=sar)
    except services.PrivacyError as exc:
        messages.error(request, str(exc))
        return redirect("privacy:sar_detail", pk=sar.pk)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def sar_close(request: HttpRequest, pk: int) -> HttpResponse:
    sar = _sar(request, pk)
    try:
        services.sar_close(actor=request.user, sar=sar)
    except services.PrivacyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Request closed.")
    return redirect("privacy:sar_detail", pk=sar.pk)


@login_required
def rights_list(request: HttpRequest) -> HttpResponse:
    _require_dpo(request)
    form = RightsRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        req = services.rights_request_create(
            actor=request.user,
            person=form.person,
            kind=data["request_kind"],
            received_on=data["received_on"],
            details=data["details"],
        )
        messages.success(request, "Request recorded.")
        return redirect("privacy:rights_detail", pk=req.pk)
    return render(
        request,
        "privacy/rights_list.html",
        {"form": form, "page": _page(request, selectors.rights_requests_visible_to(request.user))},
    )


@login_required
def rights_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_visible_or_404(
        request.user, selectors.rights_requests_visible_to(request.user), pk=pk
    )
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rights_request_decide(
                actor=request.user,
                req=req,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except services.PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Outcome recorded.")
            return redirect("privacy:rights_detail", pk=req.pk)
    return render(request, "privacy/rights_detail.html", {"req": req, "form": form})


@login_required
@require_GET
def retention_report(request: HttpRequest) -> HttpResponse:
    """What the schedule says, what is due now, what the last runs disposed of."""
    _require_dpo(request)
    today = timezone.localdate()
    due = retention.due_counts(today)
    rows = [(c, due[c.key]) for c in retention.schedule()]
    return render(
        request,
        "privacy/retention.html",
        {"rows": rows, "runs": retention.recent_runs(), "today": today},
    )
