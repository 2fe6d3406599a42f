"""The public register's search and report form (no sign-in), and the page where leaders keep
their school's contact for concerns (4.1; issue 15). Services in channels.fake_reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.access import get_visible_or_404, require
from accounts.models import School
from audit.services import client_ip

from . import fake_reports, selectors
from .public_forms import ConcernsContactForm, PublicFakeReportForm, RegisterSearchForm


def register_index(request) -> HttpResponse:
    """Each school's active official accounts and its contact for concerns, with a search, so
    parents can check one is genuine. Nothing about people or workflow."""
    form = RegisterSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return render(
        request,
        "channels/public_register.html",
        {"schools": selectors.public_register(query), "search_form": form, "query": query},
    )


@never_cache
def report_fake(request) -> HttpResponse:
    """Report an account pretending to be one of the schools: no sign-in, no third-party
    captcha; size limits, a honeypot and per-address limits (channels.fake_reports)."""
    if request.method == "POST":
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = fake_reports.MAX_REQUEST_BYTES + 1
        if size > fake_reports.MAX_REQUEST_BYTES:
            return render(request, "channels/public_report_refused.html", {
                "message": "The report is too long to send. Shorten what you saw and try again.",
            }, status=413)  # fmt: skip
    form = PublicFakeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if form.is_bot:
            # Thanked like anyone else; nothing is stored or sent.
            return render(request, "channels/public_report_sent.html", {"matched": None})
        try:
            report = fake_reports.fake_report_public(
                school=data["school"],
                platform=data["platform"],
                handle=data["handle"],
                url=data["url"],
                description=data["description"],
                reply_to=data["reply_to"],
                client_address=client_ip(request),
            )
        except fake_reports.ReportRefused as exc:
            contact = getattr(data["school"], "concerns_contact", None)
            return render(
                request,
                "channels/public_report_refused.html",
                {"message": str(exc), "contact": contact, "school": data["school"]},
                status=429,
            )
        matched = report.matched_account
        return render(
            request,
            "channels/public_report_sent.html",
            {
                "matched": matched,
                "warning": fake_reports.register_warning(matched) if matched else "",
                "school": data["school"],
            },
        )
    return render(request, "channels/public_report_form.html", {"form": form})


@login_required
def contacts(request) -> HttpResponse:
    """A leader's schools with their contact for concerns."""
    schools = fake_reports.contact_schools_for(request.user)
    require(schools, "The contact for concerns is kept by the school's leaders.")
    return render(request, "channels/concerns_contacts.html", {"schools": schools})


@login_required
def contact_edit(request, school_pk: int) -> HttpResponse:
    school = get_visible_or_404(
        request.user,
        School.objects.filter(
            pk__in=[s.pk for s in fake_reports.contact_schools_for(request.user)]
        ),
        pk=school_pk,
    )
    current = getattr(school, "concerns_contact", None)
    initial = (
        {"name": current.name, "email": current.email, "phone": current.phone} if current else {}
    )
    form = ConcernsContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fake_reports.concerns_contact_set(
                actor=request.user, school=school, **form.cleaned_data
            )
        except fake_reports.ContactError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Saved. The public register shows it.")
            return redirect("channels:concerns_contacts")
    return render(request, "channels/concerns_contact_form.html", {"form": form, "school": school})


def staff_register_warning(request, report) -> None:
    """Staff reporting an address that is on the register are told, as the public are."""
    if report.matched_account_id:
        messages.warning(request, fake_reports.register_warning(report.matched_account))
