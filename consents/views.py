"""Consent pages: thin views over consents.selectors and the services (4.5e, 4.5f)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require
from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm, user_has_school_perm

from . import selectors
from .exports import students_export_csv
from .filters import TakedownFilter
from .forms import (
    CarerForm,
    CheckForm,
    DecisionForm,
    ImportConfirmForm,
    ImportUploadForm,
    MappingForm,
    PublicationForm,
    item_field_name,
)
from .imports import (
    ImportRefused,
    column_mapping_save,
    import_confirm,
    import_preview,
    import_progress,
)
from .mis_columns import Columns, resolve
from .mis_files import FileUnreadable, open_table
from .models import ImportBatch, Medium, Naming, Purpose
from .publishing import publication_check, publication_record, takedown_done
from .services import ConsentError, carer_add, consent_record

# Lists that grow (issue 18): search, filters and pages of this many rows.
LIST_PAGE_SIZE = 25


def _can_read(user) -> bool:
    # The person's school permissions are already loaded for the request: no query.
    return bool(school_ids_with_perm(user, Perm.VIEW_CONSENT))


@login_required
def student_list(request):
    require(_can_read(request.user), "Only staff who read consent see students.")
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "year", "form")}
    page = Paginator(selectors.student_list_for(request.user, **filters), 50).get_page(
        request.GET.get("page")
    )
    # The list shows one column of consent: social media photos.
    states = selectors.consent_states(page.object_list, Purpose.SOCIAL_MEDIA, Medium.PHOTO)
    rows = []
    for student in page.object_list:
        allowed, naming = states.get(student.pk, (False, ""))
        rows.append(
            (student, allowed, Naming(naming).label if allowed else "", student.pk in states)
        )
    can_manage = bool(school_ids_with_perm(request.user, Perm.MANAGE_CONSENT))
    return render(
        request,
        "consents/student_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "can_manage": can_manage,
            "query": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@login_required
def student_detail(request, pk: int):
    student = get_visible_or_404(request.user, selectors.students_visible_to(request.user), pk=pk)
    current = selectors.current_by_student([student]).get(student.pk, {})
    grid = [
        (Purpose(p).label, [(Medium(m).label, current.get((p, m))) for m in Medium.values])
        for p in Purpose.values
    ]
    can_manage = user_has_school_perm(request.user, Perm.MANAGE_CONSENT, student.school_id)
    history = (
        student.decisions.select_related("carer", "wording", "entered_by").prefetch_related("items")
        if can_manage
        else None
    )
    return render(
        request,
        "consents/student_detail.html",
        {
            "student": student,
            "grid": grid,
            "can_manage": can_manage,
            "history": history,
            "carers": student.carer_links.select_related("carer"),
        },
    )


@login_required
def decision_create(request, pk: int):
    student = get_visible_or_404(
        request.user, selectors.students_visible_to(request.user, Perm.MANAGE_CONSENT), pk=pk
    )
    form = DecisionForm(request.POST or None, student=student)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                actor=request.user,
                student=student,
                carer=form.cleaned_data["carer"],
                method=form.cleaned_data["method"],
                wording=form.cleaned_data["wording"],
                given_on=form.cleaned_data["given_on"],
                naming=form.cleaned_data["naming"],
                allowed=form.allowed(),
                is_withdrawal=not any(form.allowed().values()),
            )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Decision recorded.")
            return redirect("consents:student_detail", pk=student.pk)
    grid = [
        (Purpose(p).label, [form[item_field_name(p, m)] for m in Medium.values])
        for p in Purpose.values
    ]
    return render(
        request, "consents/decision_form.html", {"student": student, "form": form, "grid": grid}
    )


@login_required
def carer_create(request, pk: int):
    student = get_visible_or_404(
        request.user, selectors.students_visible_to(request.user, Perm.MANAGE_CONSENT), pk=pk
    )
    form = CarerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            carer_add(actor=request.user, student=student, **form.cleaned_data)
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Parent or carer added.")
            return redirect("consents:student_detail", pk=student.pk)
    return render(request, "consents/carer_form.html", {"student": student, "form": form})


def column_plan(data: bytes, mapping: dict[str, str]) -> Columns | None:
    """How the columns of an uploaded file were read (None: the file cannot be opened)."""
    try:
        return resolve(open_table(data).headers, mapping)
    except FileUnreadable:
        return None


@login_required
def import_start(request):
    require(
        bool(school_ids_with_perm(request.user, Perm.MANAGE_CONSENT)),
        "Only consent administrators import from the MIS.",
    )
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_preview(
                actor=request.user,
                school=form.cleaned_data["school"],
                file_name=upload.name,
                data=upload.read(),
            )
        except ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("consents:import_detail", pk=batch.pk)
    recent = selectors.imports_visible_to(request.user).select_related("school", "uploaded_by")[:10]
    return render(request, "consents/import_start.html", {"form": form, "recent": recent})


@login_required
def import_detail(request, pk: int):
    batch = get_visible_or_404(request.user, selectors.imports_visible_to(request.user), pk=pk)
    mapping_form = None
    if batch.status == ImportBatch.Status.REJECTED and batch.content:
        columns = column_plan(bytes(batch.content), batch.mapping)
        if columns is not None and (columns.problems or request.method == "POST"):
            mapping_form = MappingForm(
                request.POST or None, keys=columns.keys, targets=columns.targets
            )
            if request.method == "POST" and mapping_form.is_valid():
                again = column_mapping_save(
                    actor=request.user, batch=batch, decisions=mapping_form.decisions()
                )
                return redirect("consents:import_detail", pk=again.pk)
    leavers = selectors.students_by_ids(request.user, batch.leavers)
    return render(
        request,
        "consents/import_detail.html",
        {
            "batch": batch,
            "mapping_form": mapping_form,
            "progress": import_progress(batch),
            "leavers": leavers,
            "confirm_form": ImportConfirmForm(),
        },
    )


@login_required
@require_POST
def import_confirm_view(request, pk: int):
    batch = get_visible_or_404(request.user, selectors.imports_visible_to(request.user), pk=pk)
    form = ImportConfirmForm(request.POST)
    form.is_valid()  # a single optional tick box: always valid
    try:
        batch = import_confirm(
            actor=request.user, batch=batch, mark_left=form.cleaned_data.get("mark_left", False)
        )
    except ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        if batch.status == ImportBatch.Status.DONE:
            messages.success(request, "Import complete.")
    return redirect("consents:import_detail", pk=batch.pk)


@login_required
def import_progress_view(request, pk: int):
    batch = get_visible_or_404(request.user, selectors.imports_visible_to(request.user), pk=pk)
    return render(
        request,
        "consents/_import_progress.html",
        {"batch": batch, "progress": import_progress(batch)},
    )


@login_required
def check(request):
    """The check before publishing: answer per student, then record the post."""
    require(_can_read(request.user), "Only staff who read consent check posts.")
    # Read once: the account picker shows them and the form chooses among them.
    accounts = list(selectors.accounts_for_check(request.user))
    students = selectors.students_visible_to(request.user).filter(left_on__isnull=True)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "year", "form")}
    account_id = request.GET.get("account") or request.POST.get("account")
    shown = []
    if account_id and any(filters.values()):
        shown = list(
            selectors.student_list_for(
                request.user, school=_account_school(accounts, account_id), **filters
            )[:200]
        )
    verdicts = None
    publish_form = None
    form = CheckForm(
        request.POST or None, accounts=accounts, students=students, initial={"account": account_id}
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["students"])
        try:
            verdicts = publication_check(
                actor=request.user,
                account=form.cleaned_data["account"],
                medium=form.cleaned_data["medium"],
                students=chosen,
            )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            shown = chosen
            if all(v.allowed for v in verdicts):
                publish_form = PublicationForm(
                    accounts=accounts,
                    students=students,
                    initial={
                        "account": form.cleaned_data["account"],
                        "medium": form.cleaned_data["medium"],
                        "students": chosen,
                    },
                )
    return render(
        request,
        "consents/check.html",
        {
            "form": form,
            "shown": shown,
            "filters": filters,
            "verdicts": verdicts,
            "blocked": verdicts is not None and not all(v.allowed for v in verdicts),
            "publish_form": publish_form,
            "account_id": account_id,
            "accounts": accounts,
        },
    )


def _account_school(accounts, account_id) -> int:
    return next((a.school_id for a in accounts if str(a.pk) == str(account_id)), -1)


@login_required
@require_POST
def publication_create(request):
    accounts = list(selectors.accounts_for_check(request.user))
    students = selectors.students_visible_to(request.user).filter(left_on__isnull=True)
    form = PublicationForm(request.POST, accounts=accounts, students=students)
    if form.is_valid():
        try:
            publication_record(
                actor=request.user,
                account=form.cleaned_data["account"],
                medium=form.cleaned_data["medium"],
                students=list(form.cleaned_data["students"]),
                post_url=form.cleaned_data["post_url"],
                published_on=form.cleaned_data["published_on"],
            )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Post recorded. If consent is withdrawn later, you will be told to take it down.",
            )
            return redirect("consents:check")
    return _publication_refused(request, accounts, students, form)


def _publication_refused(request, accounts, students, form: PublicationForm):
    """The post was not recorded: the check page again, with the answer, what was typed and
    the error summary (issue 15), rather than an empty check form."""
    data = getattr(form, "cleaned_data", {})
    chosen = list(data.get("students") or [])
    if not (data.get("account") and data.get("medium") and chosen):
        messages.error(request, "The post was not recorded: run the check again, then record it.")
        return redirect("consents:check")
    try:
        verdicts = publication_check(
            actor=request.user, account=data["account"], medium=data["medium"], students=chosen
        )
    except ConsentError as exc:
        messages.error(request, str(exc))
        return redirect("consents:check")
    form.initial = {"account": data["account"], "medium": data["medium"], "students": chosen}
    check_form = CheckForm(
        {
            "account": data["account"].pk,
            "medium": data["medium"],
            "students": [s.pk for s in chosen],
        },
        accounts=accounts,
        students=students,
    )
    check_form.is_valid()
    return render(
        request,
        "consents/check.html",
        {
            "form": check_form,
            "shown": chosen,
            "filters": {"q": "", "year": "", "form": ""},
            "verdicts": verdicts,
            "blocked": not all(v.allowed for v in verdicts),
            "publish_form": form if all(v.allowed for v in verdicts) else None,
            "account_id": str(data["account"].pk),
            "accounts": accounts,
        },
    )


@login_required
def class_list(request):
    """Printable list for trips and events: who may be photographed and how each is named."""
    require(_can_read(request.user), "Only staff who read consent see students.")
    filters = {k: request.GET.get(k, "").strip() for k in ("year", "form")}
    purpose = (
        request.GET.get("purpose")
        if request.GET.get("purpose") in Purpose.values
        else Purpose.SOCIAL_MEDIA
    )
    students = (
        list(selectors.student_list_for(request.user, **filters)[:400])
        if any(filters.values())
        else []
    )
    current = selectors.current_by_student(students)
    rows = []
    for s in students:
        photo = current.get(s.pk, {}).get((purpose, Medium.PHOTO))
        video = current.get(s.pk, {}).get((purpose, Medium.VIDEO))
        # How the child may be named in what is made for this purpose (4.5f): the naming of
        # the decision in force, only where a medium is allowed.
        allowed = [c for c in (photo, video) if c and c.allowed]
        naming = allowed[0].naming if allowed else None
        rows.append(
            (s, photo, video, naming and Naming(naming).label, naming and s.shown_as(naming))
        )
    year = selectors.current_school_year()
    return render(
        request,
        "consents/class_list.html",
        {
            "rows": rows,
            "filters": filters,
            "purpose": purpose,
            "purpose_label": Purpose(purpose).label,
            "purposes": Purpose.choices,
            "schools": sorted({s.school.name for s in students}),
            "forms": sorted({s.form for s in students if s.form}),
            "school_year": f"{year}/{(year + 1) % 100:02d}",
            "printed": timezone.localtime(),
        },
    )


@login_required
def account_publications(request, pk: int):
    """The posts recorded for one official account, with each one's takedown state (4.5e)."""
    from channels.selectors import account_visible_to

    account = get_visible_or_404(
        request.user, account_visible_to(request.user).select_related("platform", "school"), pk=pk
    )
    page = Paginator(selectors.publications_of(account), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "consents/account_publications.html", {"account": account, "page": page})


@login_required
def student_export(request):
    """Office staff: students on roll with their decisions in force, as CSV. Every cell goes
    through csv_safe, so a name written as a formula stays text in a spreadsheet."""
    require(
        bool(school_ids_with_perm(request.user, Perm.MANAGE_CONSENT)),
        "Only consent administrators export the students' decisions.",
    )
    response = HttpResponse(
        students_export_csv(actor=request.user), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="consent-decisions-{stamp}.csv"'
    return response


@login_required
def coverage(request):
    require(
        bool(
            school_ids_with_perm(request.user, Perm.MANAGE_CONSENT)
            or school_ids_with_perm(request.user, Perm.APPROVE_CHANNEL)
        ),
        "Coverage is for leaders and consent administrators.",
    )
    return render(request, "consents/coverage.html", {"rows": selectors.coverage(request.user)})


@login_required
def takedown_list(request):
    tasks = (
        selectors.takedowns_visible_to(request.user)
        .select_related("publication__account__platform", "owner", "school")
        .order_by("status", "-created_at")
    )
    found = TakedownFilter(request.GET or None, queryset=tasks)
    page = Paginator(found.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "consents/takedown_list.html",
        {"tasks": page.object_list, "page": page, "query": query.urlencode(), "filter": found},
    )


@login_required
@require_POST
def takedown_mark_done(request, pk: int):
    task = get_visible_or_404(request.user, selectors.takedowns_visible_to(request.user), pk=pk)
    takedown_done(actor=request.user, takedown=task)
    messages.success(request, "Marked as taken down.")
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("consents:takedown_list")
