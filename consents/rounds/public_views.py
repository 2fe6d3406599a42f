"""The carer's page (issue 17; 4.5e, 4.5f): no sign-in, made for a phone.

A personal link (or a letter's code) names one invite; nothing about a child is shown until
the carer confirms a date of birth the school holds; then each child's yes/no per purpose and
medium and the naming choice, saved as decision events. Rate-limited per address and per link;
a wrong, replaced, cancelled, locked or expired link says which, plainly.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from audit.services import client_ip

from ..models import ConsentDecision
from ..models_round import MAX_FAILED_CHECKS
from . import limits, services, tokens
from .forms import AnswerForm, CodeForm, ConfirmForm, answer_field
from .selectors import LinkProblem, children_of, invite_for_code, invite_for_token

SESSION_KEY = "consent_round_confirmed"


def _limited(request: HttpRequest, kind: str = "address", key: str | None = None) -> bool:
    return not limits.hit(kind, key or client_ip(request) or "unknown")


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consents/carer/problem.html",
        {
            "problem": (
                "Too many attempts from here. Please wait ten minutes and try again, "
                "or contact the school office."
            )
        },
        status=429,
    )


def _problem(request: HttpRequest, problem: str) -> HttpResponse:
    return render(request, "consents/carer/problem.html", {"problem": problem}, status=404)


@never_cache
def code_entry(request: HttpRequest) -> HttpResponse:
    if _limited(request):
        return _too_many(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _limited(request, "code"):
            return _too_many(request)
        try:
            invite = invite_for_code(form.cleaned_data["code"])
        except LinkProblem as exc:
            form.add_error("code", str(exc))
        else:
            return redirect(services.invite_open_by_code(invite=invite))
    return render(request, "consents/carer/code.html", {"form": form})


@never_cache
def link(request: HttpRequest, token: str) -> HttpResponse:
    if _limited(request) or _limited(request, "link", tokens.digest(token)[:32]):
        return _too_many(request)
    try:
        invite = invite_for_token(token)
    except LinkProblem as exc:
        return _problem(request, str(exc))
    confirmed = request.session.get(SESSION_KEY, {})
    children = children_of(invite)
    base = {"invite": invite, "round": invite.round, "school": invite.round.school}
    if confirmed.get(str(invite.pk)) != invite.token_hash:
        return _confirm(request, invite, children, base)
    if not children:
        return _problem(
            request, "The school has no child of yours on roll. Please contact the office."
        )
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        services.carer_answer(
            invite=invite,
            answers={c.pk: ({}, "none") for c in children},
            children=children,
        )
        messages.success(
            request,
            "You have withdrawn consent for every use. The school's accounts can no longer "
            "publish photos or videos of your child, and staff have been asked to take down "
            "posts that show them.",
        )
        return redirect(request.path)
    form = AnswerForm(request.POST or None, children=children, initial=_latest(invite, children))
    if request.method == "POST" and form.is_valid():
        services.carer_answer(invite=invite, answers=form.answers(), children=children)
        messages.success(
            request,
            "Thank you: your answer is saved and takes effect now. You can change it or "
            "withdraw it with the same link.",
        )
        return redirect(request.path)
    return render(request, "consents/carer/answer.html", base | {"form": form})


def _confirm(request, invite, children, base) -> HttpResponse:
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.invite_confirm(
            invite=invite, children=children, date_of_birth=form.cleaned_data["date_of_birth"]
        ):
            request.session.cycle_key()
            request.session[SESSION_KEY] = {str(invite.pk): invite.token_hash}
            return redirect(request.path)
        if invite.locked:
            return _problem(
                request,
                "This link is now locked after too many wrong dates of birth. Please contact "
                "the school office, who can send you a new one.",
            )
        left = MAX_FAILED_CHECKS - invite.failed_checks
        form.add_error(
            "date_of_birth",
            "That date of birth does not match the school's records. Check it and try again "
            f"({left} {'try' if left == 1 else 'tries'} left).",
        )
    return render(request, "consents/carer/confirm.html", base | {"form": form})


def _latest(invite, children) -> dict:
    """The carer's own answers so far this school year, to start from."""
    initial: dict[str, str] = {}
    seen: set[int] = set()
    for d in (
        ConsentDecision.objects.filter(
            carer_id=invite.carer_id,
            student__in=[c.pk for c in children],
            school_year=invite.round.school_year,
        )
        .prefetch_related("items")
        .order_by("student_id", "-created_at", "-id")
    ):
        if d.student_id in seen:
            continue
        seen.add(d.student_id)
        initial[f"c{d.student_id}_naming"] = d.naming
        for item in d.items.all():
            initial[answer_field(d.student_id, item.purpose, item.medium)] = (
                "yes" if item.allowed else "no"
            )
    return initial
