"""Breach pages: thin views; every case is reached through case_visible_to (section 7)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require
from accounts.models import User
from accounts.roles import Perm, TrustRoleKind
from accounts.selectors import has_trust_role, schools_visible_to

from . import report_limits, selectors, services
from .forms import ActionForm, AssignForm, DeclarationForm, NoteForm, OutcomeForm, ReportForm
from .models import BreachCase, Evidence


def _case(request, pk) -> BreachCase:
    return get_visible_or_404(request.user, selectors.case_visible_to(request.user), pk=pk)


@login_required
def report_create(request):
    require(
        schools_visible_to(request.user, Perm.STAFF).exists(), "Only staff of a school can report."
    )
    try:
        data, files = report_limits.posted(request)
    except report_limits.RequestDataTooBig:
        form = report_limits.form_for_oversized_post(ReportForm, user=request.user)
        return render(request, "breaches/report_form.html", {"form": form})
    form = ReportForm(data or None, files or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.breach_report(
                actor=request.user,
                school=data["school"],
                category=data["category"],
                seen_at=data["seen_at"],
                description=data["description"],
                platform=data["platform"],
                link=data["link"],
                subject=data["subject"],
                students_involved=data["students_involved"],
                account=data["account"],
                files=data["evidence"],
            )
        except services.BreachError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Thank you. Your report {case.reference} has reached the people who handle it.",
            )
            return redirect("breaches:my_report", pk=case.pk)
    return render(request, "breaches/report_form.html", {"form": form})


@login_required
@require_POST
def case_from_comment_report(request, report_pk):
    from channels.selectors import comment_report_visible_to

    report = get_visible_or_404(request.user, comment_report_visible_to(request.user), pk=report_pk)
    case = services.case_from_comment_report(actor=request.user, report=report)
    messages.success(request, f"Breach case {case.reference} opened from the comment report.")
    if selectors.case_visible_to(request.user).filter(pk=case.pk).exists():
        return redirect("breaches:case_detail", pk=case.pk)
    return redirect("breaches:my_report", pk=case.pk)


@login_required
def my_reports(request):
    reports = (
        selectors.reports_by(request.user).select_related("school").order_by("-created_at")[:100]
    )
    return render(request, "breaches/my_reports.html", {"reports": reports})


@login_required
def my_report(request, pk):
    case = get_visible_or_404(request.user, selectors.reports_by(request.user), pk=pk)
    return render(request, "breaches/my_report.html", {"case": case})


@login_required
def case_list(request):
    status = request.GET.get("status", "open")
    qs = selectors.case_list_for(request.user, status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "breaches/case_list.html",
        {
            "page": page,
            "status": status,
            "statuses": BreachCase.Status.choices,
            "query": urlencode({"status": status}),
        },
    )


@login_required
def case_detail(request, pk):
    case = _case(request, pk)
    services.case_opened(actor=request.user, case=case)
    candidates = _owner_candidates(case, request.user)
    return render(
        request,
        "breaches/case_detail.html",
        {
            "case": case,
            "entries": case.entries.select_related("author"),
            "evidence": case.evidence.all(),
            "note_form": NoteForm(),
            "action_form": ActionForm(),
            "outcome_form": OutcomeForm(),
            "assign_form": AssignForm(candidates=candidates),
        },
    )


def _owner_candidates(case, user):
    from guardian.shortcuts import get_users_with_perms

    routed = get_users_with_perms(case, only_with_perms_in=["handle_case"], with_superusers=False)
    hr = User.objects.filter(is_active=True, trust_roles__role=TrustRoleKind.TRUST_HR)
    return (
        User.objects.filter(Q(pk__in=routed.values("pk")) | Q(pk__in=hr.values("pk")))
        .exclude(pk=case.subject_id)
        .distinct()
    )


def _no_kwargs(case):
    return {}


def _post_action(request, pk, run, form_class=None, error="", form_kwargs=_no_kwargs):
    """Find the case first (404 for anyone outside it), then validate, then call the service."""
    case = _case(request, pk)
    form = form_class(request.POST, **form_kwargs(case)) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, error)
        return redirect("breaches:case_detail", pk=case.pk)
    try:
        run(case, form.cleaned_data if form else {})
    except services.BreachError as exc:
        messages.error(request, str(exc))
    return redirect("breaches:case_detail", pk=case.pk)


@login_required
@require_POST
def case_acknowledge(request, pk):
    return _post_action(
        request, pk, lambda c, d: services.case_acknowledge(actor=request.user, case=c)
    )


@login_required
@require_POST
def case_investigate(request, pk):
    return _post_action(
        request, pk, lambda c, d: services.case_investigate(actor=request.user, case=c)
    )


@login_required
@require_POST
def case_note(request, pk):
    return _post_action(
        request,
        pk,
        lambda c, d: services.case_add_note(actor=request.user, case=c, text=d["text"]),
        NoteForm,
        "Write the note first.",
        form_kwargs=_no_kwargs,
    )


@login_required
@require_POST
def case_action(request, pk):
    return _post_action(
        request,
        pk,
        lambda c, d: services.case_record_action(
            actor=request.user, case=c, action=d["action"], text=d["text"]
        ),
        ActionForm,
        "Choose the action taken.",
        form_kwargs=_no_kwargs,
    )


@login_required
@require_POST
def case_outcome(request, pk):
    return _post_action(
        request,
        pk,
        lambda c, d: services.case_decide_outcome(
            actor=request.user, case=c, outcome=d["outcome"], summary=d["summary"]
        ),
        OutcomeForm,
        "An outcome needs a choice and a summary of the reasons.",
        form_kwargs=_no_kwargs,
    )


@login_required
@require_POST
def case_close(request, pk):
    return _post_action(request, pk, lambda c, d: services.case_close(actor=request.user, case=c))


@login_required
@require_POST
def case_assign(request, pk):
    return _post_action(
        request,
        pk,
        lambda c, d: services.case_assign_owner(actor=request.user, case=c, owner=d["owner"]),
        AssignForm,
        "Choose someone this case was routed to.",
        form_kwargs=lambda c: {"candidates": _owner_candidates(c, request.user)},
    )


@login_required
def evidence_download(request, pk, evidence_id):
    case = _case(request, pk)
    item = get_visible_or_404(request.user, Evidence.objects.filter(case=case), pk=evidence_id)
    services.case_opened(actor=request.user, case=case)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"case-{case.reference}-{item.pk}{item.extension}",
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def declaration_list(request):
    form = DeclarationForm(request.POST or None, user=request.user)
    if request.method == "POST":
        require(
            schools_visible_to(request.user, Perm.STAFF).exists(), "Only staff make declarations."
        )
        if form.is_valid():
            services.declaration_create(
                actor=request.user,
                school=form.cleaned_data["school"],
                site=form.cleaned_data["site"],
                link=form.cleaned_data["link"],
                disclaimer_present=form.cleaned_data["disclaimer_present"],
            )
            messages.success(request, "Declaration sent to your headteacher.")
            return redirect("breaches:declaration_list")
    declarations = selectors.declarations_visible_to(request.user).select_related(
        "user", "school", "acknowledged_by"
    )
    can_acknowledge = schools_visible_to(request.user, Perm.HANDLE_BREACHES).exists()
    return render(
        request,
        "breaches/declarations.html",
        {"form": form, "declarations": declarations[:200], "can_acknowledge": can_acknowledge},
    )


@login_required
@require_POST
def declaration_acknowledge(request, pk):
    declaration = get_visible_or_404(
        request.user, selectors.declarations_visible_to(request.user), pk=pk
    )
    services.declaration_acknowledge(actor=request.user, declaration=declaration)
    messages.success(request, "Declaration acknowledged.")
    return redirect("breaches:declaration_list")


@login_required
def disposals(request):
    require(
        has_trust_role(request.user, TrustRoleKind.TRUST_HR), "Only trust HR disposes of cases."
    )
    cases = selectors.cases_due_for_disposal().select_related("school")[:500]
    return render(request, "breaches/disposals.html", {"cases": cases})


@login_required
@require_POST
def case_dispose(request, pk):
    case = _case(request, pk)
    try:
        services.case_dispose(actor=request.user, case=case)
    except services.BreachError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Case and its evidence deleted.")
    return redirect("breaches:disposals")
