"""The office's pages of the consent round (issue 17): start, progress per class, carers
(re-send, revoke), one reminder per carer, letters with codes, the class grid of paper forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require
from accounts.roles import Perm
from accounts.selectors import schools_visible_to

from ..models import Medium, Purpose, StudentCarer
from ..selectors import current_school_year, students_visible_to
from ..services import ALL_ITEMS
from . import selectors, services
from .forms import GridForm, RoundStartForm

PAGE_SIZE = 25


@login_required
def round_index(request):
    """This school year's round of each school the person keeps records for, or its start."""
    schools = list(schools_visible_to(request.user, Perm.MANAGE_CONSENT))
    require(bool(schools), "Only consent administrators run the consent round.")
    year = current_school_year()
    rounds = {
        r.school_id: r for r in selectors.rounds_visible_to(request.user).filter(school_year=year)
    }
    school = next((s for s in schools if str(s.pk) == request.POST.get("school")), None)
    if school is None and len(schools) == 1:
        school = schools[0]
    form = None
    if school is not None and school.pk not in rounds:
        form = RoundStartForm(request.POST or None, school=school)
        if request.method == "POST" and form.is_valid():
            try:
                rnd = services.round_start(
                    actor=request.user,
                    school=school,
                    ends_on=form.cleaned_data["ends_on"],
                    wording=form.cleaned_data["wording"],
                )
            except services.RoundError as exc:
                form.add_error("ends_on", str(exc))
            else:
                messages.success(request, "The round has started: the emails are on their way.")
                return redirect("consents:round_detail", pk=rnd.pk)
    return render(
        request,
        "consents/round/index.html",
        {
            "schools": [(s, rounds.get(s.pk)) for s in schools],
            "school": school,
            "form": form,
            "year": f"{year}/{(year + 1) % 100:02d}",
        },
    )


@login_required
def round_detail(request, pk: int):
    rnd = get_visible_or_404(request.user, selectors.rounds_visible_to(request.user), pk=pk)
    return render(
        request,
        "consents/round/detail.html",
        {
            "round": rnd,
            "progress": selectors.progress_by_class(rnd),
            "counts": selectors.round_counts(rnd),
        },
    )


@login_required
def round_carers(request, pk: int):
    rnd = get_visible_or_404(request.user, selectors.rounds_visible_to(request.user), pk=pk)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.round_invites(rnd, status=status, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "consents/round/carers.html",
        {
            "round": rnd,
            "page": page,
            "rows": [(i, selectors.invite_status(i)) for i in page.object_list],
            "status": status,
            "q": q,
            "statuses": [
                ("", "Everyone"),
                ("not_answered", "Not answered"),
                ("answered", "Answered"),
                ("bounced", "Email bounced"),
                ("no_email", "No email (letters)"),
                ("revoked", "Link revoked"),
            ],
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def round_remind(request, pk: int):
    rnd = get_visible_or_404(request.user, selectors.rounds_visible_to(request.user), pk=pk)
    try:
        sent = services.round_remind(actor=request.user, rnd=rnd)
    except services.RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{sent} reminder{'s' if sent != 1 else ''} sent. "
            "Each carer gets one reminder per round.",
        )
    return redirect("consents:round_detail", pk=rnd.pk)


@login_required
@require_POST
def invite_resend(request, pk: int):
    invite = get_visible_or_404(request.user, selectors.invites_visible_to(request.user), pk=pk)
    try:
        services.invite_resend(actor=request.user, invite=invite)
    except services.RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"A new link was sent to {invite.carer}. Earlier links no longer work."
        )
    return redirect("consents:round_carers", pk=invite.round_id)


@login_required
@require_POST
def invite_revoke(request, pk: int):
    invite = get_visible_or_404(request.user, selectors.invites_visible_to(request.user), pk=pk)
    services.invite_revoke(actor=request.user, invite=invite)
    messages.success(request, f"The link and letter code of {invite.carer} no longer work.")
    return redirect("consents:round_carers", pk=invite.round_id)


@login_required
def round_letters(request, pk: int):
    """GET: what printing does. POST: new codes for carers without email, as printable letters."""
    rnd = get_visible_or_404(request.user, selectors.rounds_visible_to(request.user), pk=pk)
    if request.method != "POST":
        waiting = selectors.round_invites(rnd, status="no_email").filter(
            answered_at__isnull=True, revoked_at__isnull=True
        )
        return render(
            request, "consents/round/letters_start.html", {"round": rnd, "waiting": waiting.count()}
        )
    try:
        letters = services.letters_issue(actor=request.user, rnd=rnd)
    except services.RoundError as exc:
        messages.error(request, str(exc))
        return redirect("consents:round_detail", pk=rnd.pk)
    children = _children_by_carer([i.carer_id for i, _ in letters], rnd.school_id)
    return render(
        request,
        "consents/round/letters.html",
        {
            "round": rnd,
            "letters": [(i, code, children.get(i.carer_id, [])) for i, code in letters],
            "code_url": request.build_absolute_uri("/consent/code/"),
        },
    )


def _children_by_carer(carer_ids: list[int], school_id: int) -> dict[int, list]:
    out: dict[int, list] = {}
    for link in StudentCarer.objects.filter(
        carer_id__in=carer_ids, student__school_id=school_id, student__left_on__isnull=True
    ).select_related("student"):
        out.setdefault(link.carer_id, []).append(link.student)
    return out


@login_required
def round_grid(request, pk: int):
    """The class grid for paper forms: a row per child, keyboard first (tab through a row)."""
    rnd = get_visible_or_404(request.user, selectors.rounds_visible_to(request.user), pk=pk)
    form_name = (request.GET.get("form") or request.POST.get("class") or "").strip()[:20]
    students = []
    if form_name:
        students = list(
            students_visible_to(request.user, Perm.MANAGE_CONSENT)
            .filter(school_id=rnd.school_id, left_on__isnull=True, form__iexact=form_name)
            .order_by("family_name", "given_name")[:60]
        )
    carers: dict[int, list] = {}
    for link in StudentCarer.objects.filter(student__in=students).select_related("carer"):
        carers.setdefault(link.student_id, []).append(link.carer)
    form = GridForm(request.POST or None, students=students, carers=carers) if students else None
    if form is not None and request.method == "POST" and form.is_valid():
        rows = form.decisions()
        if not rows:
            form.add_error(None, "Choose the carer who signed for at least one child")
        else:
            try:
                services.paper_grid_record(
                    actor=request.user, rnd=rnd, given_on=form.cleaned_data["given_on"], rows=rows
                )
            except services.RoundError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"{len(rows)} decision{'s' if len(rows) != 1 else ''} recorded."
                )
                return redirect(f"{request.path}?form={form_name}")
    classes = (
        students_visible_to(request.user, Perm.MANAGE_CONSENT)
        .filter(school_id=rnd.school_id, left_on__isnull=True)
        .exclude(form="")
        .values_list("form", flat=True)
        .distinct()
        .order_by("form")
    )
    return render(
        request,
        "consents/round/grid.html",
        {
            "round": rnd,
            "form": form,
            "form_name": form_name,
            "classes": list(classes),
            "headers": [f"{Purpose(p).label}: {Medium(m).label.lower()}" for p, m in ALL_ITEMS],
        },
    )
