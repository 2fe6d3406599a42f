"""Views of official accounts: find the record through the access helper, call one service,
render. Another school's record is a 404; a visible record the person may not act on is 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require
from accounts.roles import Perm
from accounts.selectors import is_trust_admin, user_has_school_perm

from . import followups, selectors, services
from .filters import AccountFilter
from .forms import (
    AccountForm,
    CloseForm,
    CommentReportForm,
    FakeReportForm,
    HandoverForm,
    PlatformForm,
    ReasonForm,
    ResolveForm,
    ReviewForm,
    SchoolChoiceForm,
)
from .gates import activation_blockers
from .models import OfficialAccount, Platform
from .public_views import staff_register_warning
from .services import ChannelError

Status = OfficialAccount.Status

# Lists that grow (issue 18): search, filters and pages of this many rows.
LIST_PAGE_SIZE = 25


def _form_error(form, exc: ChannelError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _account(request, pk: int) -> OfficialAccount:
    return get_visible_or_404(
        request.user,
        selectors.account_visible_to(request.user).select_related(
            "school", "platform", "owner", "requested_by", "decided_by"
        ),
        pk=pk,
    )


# --- accounts ---------------------------------------------------------------------------------


@login_required
def account_list(request):
    found = AccountFilter(request.GET or None, queryset=selectors.account_list_for(request.user))
    page = Paginator(found.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_register = selectors.may_register(request.user)
    return render(
        request,
        "channels/account_list.html",
        {
            "accounts": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "filter": found,
            "can_register": can_register,
            "today": selectors._today(),
        },
    )


@login_required
def account_create(request):
    """Step one picks the school (only the teacher's schools); step two is the form."""
    schools = selectors.registration_schools_for(request.user)
    require(schools.exists(), "Your roles do not include registering official accounts.")
    school_id = request.GET.get("school") or request.POST.get("school")
    if school_id is None and schools.count() == 1:
        school_id = schools.get().pk
    if school_id is None:
        return render(
            request, "channels/account_school.html", {"form": SchoolChoiceForm(user=request.user)}
        )
    school = get_visible_or_404(request.user, schools, pk=school_id)
    form = AccountForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_register(
                actor=request.user,
                school=school,
                owner=form.cleaned_data["owner"],
                deputies=list(form.cleaned_data["deputies"]),
                data=form.service_data(),
            )
        except ChannelError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, "Saved as a draft. Check it, then submit it to a leader for approval."
            )
            return redirect("channels:account_detail", pk=account.pk)
    return render(request, "channels/account_form.html", {"form": form, "school": school})


@login_required
def account_edit(request, pk: int):
    account = _account(request, pk)
    require(
        selectors.is_involved(request.user, account),
        "Only the person who registered the account or its team can edit it.",
    )
    require(
        account.status in (Status.DRAFT, Status.CHANGES_REQUESTED),
        "Only a draft or a registration sent back for changes can be edited.",
    )
    form = AccountForm(request.POST or None, instance=account, school=account.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(
                actor=request.user,
                account=_account(request, pk),  # fresh: the form has changed `account`
                owner=form.cleaned_data["owner"],
                deputies=list(form.cleaned_data["deputies"]),
                data=form.service_data(),
            )
        except ChannelError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("channels:account_detail", pk=pk)
    return render(
        request,
        "channels/account_form.html",
        {"form": form, "school": account.school, "account": account},
    )


@login_required
def account_detail(request, pk: int):
    # Read through account_readable_by: a trust administrator reads every account of the
    # trust here, while the action views below keep account_visible_to.
    account = get_visible_or_404(
        request.user,
        selectors.account_readable_by(request.user).select_related(
            "school", "platform", "owner", "requested_by", "decided_by"
        ),
        pk=pk,
    )
    user = request.user
    leader = selectors.is_leader_of(user, account.school_id)
    involved = selectors.is_involved(user, account)
    context = {
        "account": account,
        "deputies": list(account.deputies.all()),
        "events": selectors.account_history(account),
        "reviews": account.reviews.select_related("reviewer")[:5],
        "involved": involved,
        "leader": leader,
        "may_decide": leader and not involved,
        "on_team": selectors.is_on_team(user, account),
        "blockers": activation_blockers(account) if account.status == Status.APPROVED else [],
        "waiting_days": selectors.approval_age(account)
        if account.status == Status.SUBMITTED
        else None,
        "reason_form": ReasonForm(),
        "followups": followups.open_followups_of(account),
        "today": selectors._today(),
    }
    return render(request, "channels/account_detail.html", context)


def _transition(request, pk: int, service, success: str, *, with_reason: bool):
    account = _account(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    kwargs = {"reason": form.cleaned_data.get("reason", "")} if with_reason else {}
    try:
        service(actor=request.user, account=account, **kwargs)
    except ChannelError as exc:
        messages.error(request, exc.message)
        return redirect("channels:account_detail", pk=pk)
    messages.success(request, success)
    return redirect("channels:account_detail", pk=pk)


def _decision(request, pk: int, service, success: str):
    """Approve, reject, request changes: a leader of the school who is not involved (4.2).
    The requester or a team member gets 403 with the reason, not a silent redirect."""
    account = _account(request, pk)
    require(
        selectors.is_leader_of(request.user, account.school_id),
        "Only a leader or the headteacher of the school decides on an account.",
    )
    require(
        not selectors.is_involved(request.user, account),
        "You requested or administer this account, so another leader must decide (4.2).",
    )
    return _transition(request, pk, service, success, with_reason=True)


@login_required
@require_POST
def account_submit(request, pk: int):
    account = _account(request, pk)
    require(selectors.is_involved(request.user, account), "Only the account's team submits it.")
    return _transition(
        request, pk, services.account_submit, "Sent to the school's leaders.", with_reason=False
    )


@login_required
@require_POST
def account_approve(request, pk: int):
    return _decision(request, pk, services.account_approve, "Approved.")


@login_required
@require_POST
def account_reject(request, pk: int):
    return _decision(request, pk, services.account_reject, "Rejected; the requester is told.")


@login_required
@require_POST
def account_request_changes(request, pk: int):
    return _decision(request, pk, services.account_request_changes, "Sent back to the requester.")


@login_required
@require_POST
def account_activate(request, pk: int):
    account = _account(request, pk)
    require(
        selectors.is_on_team(request.user, account)
        or selectors.is_leader_of(request.user, account.school_id),
        "Only the account's team or a leader of the school activates it.",
    )
    return _transition(
        request, pk, services.account_activate, "The account is active.", with_reason=False
    )


def _leader_only(request, pk: int) -> OfficialAccount:
    account = _account(request, pk)
    require(
        selectors.is_leader_of(request.user, account.school_id),
        "Only a leader or the headteacher of the school does this.",
    )
    return account


@login_required
@require_POST
def account_suspend(request, pk: int):
    _leader_only(request, pk)
    return _transition(
        request, pk, services.account_suspend, "The account is suspended.", with_reason=True
    )


@login_required
@require_POST
def account_reinstate(request, pk: int):
    _leader_only(request, pk)
    return _transition(
        request, pk, services.account_reinstate, "The account is active again.", with_reason=False
    )


@login_required
@require_POST
def account_close(request, pk: int):
    account = _account(request, pk)
    require(
        selectors.is_leader_of(request.user, account.school_id)
        or request.user.pk == account.owner_id,
        "Only the owner or a leader of the school closes an account.",
    )
    return _transition(
        request, pk, services.account_close, "The account is closed.", with_reason=True
    )


@login_required
def account_review(request, pk: int):
    account = _account(request, pk)
    require(
        selectors.may_decide(request.user, account),
        "A leader of the school who does not administer the account reviews it.",
    )
    form = ReviewForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_review(
                actor=request.user,
                account=account,
                checks=data,
                notes=data["notes"],
                followup_owner=data["followup_owner"],
                followup_due=data["followup_due"],
            )
        except ChannelError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Review recorded.")
            return redirect("channels:account_detail", pk=pk)
    return render(request, "channels/account_review.html", {"account": account, "form": form})


@login_required
def account_handover(request, pk: int):
    account = _leader_only(request, pk)
    form = HandoverForm(
        request.POST or None,
        account=account,
        initial={"owner": account.owner_id, "deputies": [d.pk for d in account.deputies.all()]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_handover(
                actor=request.user,
                account=account,
                owner=form.cleaned_data["owner"],
                deputies=list(form.cleaned_data["deputies"]),
                note=form.cleaned_data["note"],
            )
        except ChannelError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, "Handed over. The new owner must change the password and escrow it."
            )
            return redirect("channels:account_detail", pk=pk)
    return render(request, "channels/account_handover.html", {"account": account, "form": form})


@login_required
def queue(request):
    """The leaders' queue: requests with their age in school days, reviews, leavers, reports."""
    require(
        selectors.schools_visible_to_leader(request.user).exists(),
        "The queue is for school leaders.",
    )
    context = {
        "waiting": selectors.awaiting_approval_for(request.user),
        "reviews": selectors.reviews_due_for(request.user),
        "new_owner": selectors.needing_new_owner_for(request.user),
        "comment_reports": selectors.open_comment_reports_for(request.user),
        "fake_reports": selectors.open_fake_reports_for(request.user),
        "followups": followups.followups_for(request.user),
        "limit": selectors.conf("APPROVAL_REMINDER_SCHOOL_DAYS"),
        "today": selectors._today(),
    }
    return render(request, "channels/queue.html", context)


# --- reports: inappropriate comments (4.5h) and suspected fake accounts (4.1) -----------------
# Both kinds have one shape: a form that creates the report, a detail page found through the
# access helper, and a POST where a leader who may deal with it records what was done.


def _report(request, pk: int, visible, *related: str):
    return get_visible_or_404(request.user, visible(request.user).select_related(*related), pk=pk)


def _report_form(
    request, form, create, *, done: str, detail: str, template: str, after=None, **context
):
    """Create a report from a valid form (`create(cleaned_data)`), or show the form again;
    `after(request, report)` adds what else the person should be told."""
    if request.method == "POST" and form.is_valid():
        try:
            report = create(form.cleaned_data)
        except ChannelError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            if after is not None:
                after(request, report)
            return redirect(detail, pk=report.pk)
    return render(request, template, {**context, "form": form})


def _report_settle(request, report, form, settle, *, may: bool, refused: str, done: str, detail):
    """A leader records what was done (`settle(text)`, the form's one field); the message says
    how it went (an empty text is the service's to refuse)."""
    require(may, refused)
    form.is_valid()
    try:
        settle(form.cleaned_data.get(next(iter(form.fields)), ""))
    except ChannelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(detail, pk=report.pk)


def _comment_report(request, pk: int):
    return _report(
        request,
        pk,
        selectors.comment_report_visible_to,
        "account__platform",
        "school",
        "reporter",
        "closed_by",
    )


@login_required
def comment_report_create(request, pk: int):
    account = _account(request, pk)
    return _report_form(
        request,
        CommentReportForm(request.POST or None, request.FILES or None),
        lambda data: services.comment_report_create(
            actor=request.user,
            account=account,
            comment_url=data["comment_url"],
            was_removed=data["was_removed"],
            description=data["description"],
            screenshot=data.get("screenshot"),
        ),
        done="Reported to the school's leadership team.",
        detail="channels:comment_report_detail",
        template="channels/comment_report_form.html",
        account=account,
    )


@login_required
def comment_report_detail(request, pk: int):
    report = _comment_report(request, pk)
    may_close = user_has_school_perm(request.user, Perm.RECEIVE_COMMENT_REPORTS, report.school_id)
    return render(
        request,
        "channels/comment_report_detail.html",
        {"report": report, "may_close": may_close, "form": CloseForm()},
    )


@login_required
def comment_report_screenshot(request, pk: int):
    """The screenshot, only through this access-checked view and only as a download."""
    report = _comment_report(request, pk)
    if not report.screenshot:
        raise Http404
    try:
        handle = report.screenshot.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"comment-report-{report.pk}{report.screenshot_ext}",
        content_type=report.screenshot_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def comment_report_close(request, pk: int):
    report = _comment_report(request, pk)
    return _report_settle(
        request,
        report,
        CloseForm(request.POST),
        lambda note: services.comment_report_close(actor=request.user, report=report, note=note),
        may=user_has_school_perm(request.user, Perm.RECEIVE_COMMENT_REPORTS, report.school_id),
        refused="Only the school's leadership team deals with comment reports.",
        done="Marked as dealt with.",
        detail="channels:comment_report_detail",
    )


def _fake_report(request, pk: int):
    return _report(
        request,
        pk,
        selectors.fake_report_visible_to,
        "school",
        "platform",
        "reporter",
        "resolved_by",
    )


@login_required
def fake_report_list(request):
    reports = (
        selectors.fake_report_visible_to(request.user)
        .select_related("school", "platform", "reporter")
        .order_by("status", "-created_at")
    )
    return render(request, "channels/fake_report_list.html", {"reports": reports})


@login_required
def fake_report_create(request):
    return _report_form(
        request,
        FakeReportForm(request.POST or None, user=request.user),
        lambda data: services.fake_report_create(
            actor=request.user,
            school=data["school"],
            platform=data["platform"],
            handle=data["handle"],
            url=data["url"],
            description=data["description"],
        ),
        done="Thank you. The school's leaders are told.",
        detail="channels:fake_report_detail",
        after=staff_register_warning,
        template="channels/fake_report_form.html",
    )


@login_required
def fake_report_detail(request, pk: int):
    report = _fake_report(request, pk)
    return render(
        request,
        "channels/fake_report_detail.html",
        {
            "report": report,
            "may_resolve": selectors.may_handle_fake_report(request.user, report),
            "form": ResolveForm(),
        },
    )


@login_required
@require_POST
def fake_report_resolve(request, pk: int):
    report = _fake_report(request, pk)
    return _report_settle(
        request,
        report,
        ResolveForm(request.POST),
        lambda text: services.fake_report_resolve(
            actor=request.user, report=report, resolution=text
        ),
        may=selectors.may_handle_fake_report(request.user, report),
        refused="Only a leader of the school resolves this report.",
        done="Resolved; the person who reported it is told.",
        detail="channels:fake_report_detail",
    )


# --- platform catalogue (trust administrators) ------------------------------------------------


@login_required
def platform_list(request):
    return render(
        request,
        "channels/platform_list.html",
        {"platforms": Platform.objects.all(), "may_edit": is_trust_admin(request.user)},
    )


@login_required
def platform_edit(request, pk: int | None = None):
    require(is_trust_admin(request.user), "Only trust administrators edit the platform list.")
    platform = (
        Platform()
        if pk is None
        else get_visible_or_404(request.user, Platform.objects.all(), pk=pk)
    )
    form = PlatformForm(request.POST or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        fresh = Platform() if pk is None else Platform.objects.get(pk=pk)
        try:
            services.platform_save(actor=request.user, platform=fresh, data=form.cleaned_data)
        except ChannelError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("channels:platform_list")
    return render(request, "channels/platform_form.html", {"form": form, "platform": platform})


# The public register (4.1, no sign-in) is in public_views.py.
