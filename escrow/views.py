"""Views of the escrow: find the account through the access helper, call one service,
render. Another school's account is a 404; a visible one the person may not act on, 403.
Pages that show or take secrets are never cached (`no-store`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require
from accounts.selectors import people_visible_to
from accounts.stepup import step_up_required

from . import selectors, services
from .filters import EscrowFilter
from .forms import DepositForm, RetrieveForm
from .models import SealedSecret
from .refusals import retrieval_refuse
from .services import EscrowError, RetrievalRefused

# Lists that grow (issue 18): search, filters and pages of this many rows.
LIST_PAGE_SIZE = 25


def _account(request, pk: int):
    return get_visible_or_404(
        request.user,
        selectors.escrow_account_visible_to(request.user).select_related(
            "school", "platform", "owner"
        ),
        pk=pk,
    )


@login_required
def index(request):
    found = EscrowFilter(request.GET or None, queryset=selectors.escrow_list_for(request.user))
    page = Paginator(found.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(a, *selectors.escrow_state(a)) for a in page.object_list]
    return render(
        request,
        "escrow/index.html",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filter": found,
            "may_see_reports": selectors.may_see_reports(request.user),
            "rotation_days": settings.ESCROW_ROTATION_DAYS,
        },
    )


@login_required
def account(request, pk: int):
    acc = _account(request, pk)
    credential = selectors.credential_of(acc)
    may_retrieve = selectors.may_retrieve(request.user, acc)
    leaderish = may_retrieve or selectors.may_break_glass(request.user, acc)
    return render(
        request,
        "escrow/account.html",
        {
            "account": acc,
            "credential": credential,
            "current": selectors.current_version(credential),
            "versions": selectors.versions_of(credential),
            "retrievals": selectors.retrievals_of_account(acc)[:100] if leaderish else None,
            "may_deposit": selectors.may_deposit(request.user, acc),
            "may_retrieve": may_retrieve,
            "may_break_glass": selectors.may_break_glass(request.user, acc),
        },
    )


@never_cache
@sensitive_post_parameters("username", "password", "recovery_codes", "notes")
@login_required
def deposit(request, pk: int):
    acc = _account(request, pk)
    require(
        selectors.may_deposit(request.user, acc),
        "Only the account's owner or a deputy can give its login details.",
    )
    form = DepositForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_deposit(actor=request.user, account=acc, **form.cleaned_data)
        except EscrowError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "The login details are in the escrow. Thank you.")
            return redirect("escrow:account", pk=acc.pk)
    return render(request, "escrow/deposit.html", {"account": acc, "form": form})


@never_cache
@login_required
def retrieve(request, pk: int):
    # Access first, so another school's account is a 404 before any step-up is asked for.
    acc = _account(request, pk)
    break_glass = selectors.may_break_glass(request.user, acc)
    if not (selectors.may_retrieve(request.user, acc) or break_glass):
        retrieval_refuse(actor=request.user, account=acc)  # audited, then 403
    return _retrieve(request, acc, break_glass)


@sensitive_variables("revealed", "fields")
@step_up_required
def _retrieve(request, acc, break_glass: bool):
    form = RetrieveForm(request.POST or None, break_glass=break_glass)
    if request.method == "POST" and form.is_valid():
        try:
            revealed = services.credential_retrieve(
                actor=request.user,
                account=acc,
                reason=form.cleaned_data["reason"],
                break_glass=form.cleaned_data.get("break_glass", False),
            )
        except RetrievalRefused as exc:
            form.add_error(None, exc.message)
            response = render(request, "escrow/retrieve.html", {"account": acc, "form": form})
            response.status_code = 429
            return response
        except EscrowError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            fields = [(label, revealed.get(value)) for value, label in SealedSecret.Field.choices]
            return render(
                request,
                "escrow/revealed.html",
                {"account": acc, "fields": [f for f in fields if f[1]], "revealed": revealed},
            )
    return render(request, "escrow/retrieve.html", {"account": acc, "form": form})


@require_POST
@login_required
def check(request, pk: int):
    acc = _account(request, pk)
    require(
        selectors.may_retrieve(request.user, acc),
        "Only the school's leaders and headteacher can confirm the check.",
    )
    credential = selectors.credential_of(acc)
    if credential is None:
        messages.error(request, "There are no login details to check yet.")
    else:
        try:
            services.credential_check_confirm(actor=request.user, credential=credential)
        except EscrowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Recorded: the escrowed login details still work.")
    return redirect("escrow:account", pk=acc.pk)


@login_required
def person_report(request, pk: int):
    person = get_visible_or_404(request.user, people_visible_to(request.user), pk=pk)
    require(
        selectors.may_see_reports(request.user),
        "Only leaders and trust administrators see retrieval reports.",
    )
    retrievals = selectors.retrievals_by_person(request.user, person)
    return render(
        request, "escrow/person_report.html", {"person": person, "retrievals": retrievals}
    )
