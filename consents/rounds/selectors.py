"""Reads of the consent round (issue 17): the office's progress and lists, the carer's page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm

from ..models import ConsentRound, RoundInvite, Student, StudentCarer
from . import tokens
from .services import bounced_q


def rounds_visible_to(user) -> QuerySet[ConsentRound]:
    """Rounds of the schools whose consent records the user keeps."""
    return ConsentRound.objects.filter(
        school_id__in=school_ids_with_perm(user, Perm.MANAGE_CONSENT)
    ).select_related("school", "wording")


def invites_visible_to(user) -> QuerySet[RoundInvite]:
    return RoundInvite.objects.filter(
        round__school_id__in=school_ids_with_perm(user, Perm.MANAGE_CONSENT)
    ).select_related("round__school", "carer")


@dataclass(frozen=True)
class ClassProgress:
    form: str
    students: int
    answered: int
    bounced: int

    @property
    def not_answered(self) -> int:
        return self.students - self.answered


def progress_by_class(rnd: ConsentRound) -> list[ClassProgress]:
    """Per class, in one query: students on roll, answered (a decision in force this school
    year, online or on paper), and bounced (not answered, and a carer's email or reminder
    could not be delivered)."""
    bounced_invite = RoundInvite.objects.filter(
        bounced_q(), round=rnd, carer__student_links__student=OuterRef("pk")
    )
    rows = (
        Student.objects.filter(school_id=rnd.school_id, left_on__isnull=True)
        .annotate(bounced=Exists(bounced_invite))
        .values("form")
        .annotate(
            students=Count("pk"),
            answered=Count("pk", filter=Q(decision_year=rnd.school_year)),
            bounced_n=Count("pk", filter=Q(bounced=True) & ~Q(decision_year=rnd.school_year)),
        )
        .order_by("form")
    )
    return [
        ClassProgress(r["form"] or "(no class)", r["students"], r["answered"], r["bounced_n"])
        for r in rows
    ]


def invite_status(invite: RoundInvite) -> str:
    if invite.revoked_at:
        return "Link revoked"
    if invite.answered_at:
        return "Answered"
    failed = "failed"
    if (invite.email and invite.email.email_status == failed) or (
        invite.reminder and invite.reminder.email_status == failed
    ):
        return "Email bounced"
    if invite.locked:
        return "Locked: wrong dates of birth"
    if invite.letter_at:
        return "Letter printed"
    if invite.sent_at:
        return "Reminded" if invite.reminded_at else "Email sent"
    return "No email: print a letter"


STATUS_FILTERS = {
    "not_answered": Q(answered_at__isnull=True, revoked_at__isnull=True),
    "answered": Q(answered_at__isnull=False),
    "bounced": bounced_q(),
    "no_email": Q(carer__email=""),
    "revoked": Q(revoked_at__isnull=False),
}


def round_invites(rnd: ConsentRound, *, status: str = "", q: str = "") -> QuerySet[RoundInvite]:
    qs = RoundInvite.objects.filter(round=rnd).select_related("carer", "email", "reminder")
    if status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[status])
    for word in q.split()[:4]:
        qs = qs.filter(Q(carer__name__icontains=word) | Q(carer__email__icontains=word))
    return qs.order_by("carer__name", "pk")


def round_counts(rnd: ConsentRound) -> dict[str, int]:
    return RoundInvite.objects.filter(round=rnd).aggregate(
        carers=Count("pk"),
        emailed=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        letters=Count("pk", filter=Q(carer__email="")),
        bounced=Count("pk", filter=bounced_q()),
    )


# --- the carer's side -------------------------------------------------------------------------


class LinkProblem(Exception):
    """Why a link or code does not open the page, in words for the carer."""


def invite_for_token(token: str) -> RoundInvite:
    """The live invite a link names, or LinkProblem saying plainly what is wrong."""
    value = tokens.read_link_token(token)
    if value is None:
        raise LinkProblem("This link is not right. Check that you copied all of it from the email.")
    invite_id, secret = value
    invite = (
        RoundInvite.objects.select_related("round__school", "round__wording", "carer")
        .filter(pk=invite_id)
        .first()
    )
    if invite is None:
        raise LinkProblem("This link no longer works. Please contact the school office.")
    matches = bool(invite.token_hash) and secrets.compare_digest(
        tokens.digest(secret), invite.token_hash
    )
    return _check_live(invite, matches)


def invite_for_code(code: str) -> RoundInvite:
    """The live invite of a letter code, or LinkProblem."""
    code_hash = tokens.code_digest(code)
    if code_hash is None:
        raise LinkProblem(
            "Enter the code exactly as it is printed on the letter, for example 7K3QD-M2XHB."
        )
    invite = (
        RoundInvite.objects.select_related("round__school", "round__wording", "carer")
        .filter(code_hash=code_hash)
        .first()
    )
    if invite is None:
        raise LinkProblem(
            "That code is not right or no longer works. Check it against the letter, or "
            "contact the school office."
        )
    return _check_live(invite, True)


def _check_live(invite: RoundInvite, secret_matches) -> RoundInvite:
    if invite.revoked_at:
        raise LinkProblem("This link has been cancelled by the school. Please contact the office.")
    if not secret_matches:
        raise LinkProblem(
            "This link has been replaced by a newer one. Use the newest email from the school, "
            "or contact the office."
        )
    if invite.round.ends_on < timezone.localdate():
        raise LinkProblem(
            f"This link expired on {invite.round.ends_on:%-d %B %Y}, when the school's consent "
            "round ended. To give, change or withdraw consent, please contact the school office."
        )
    if invite.locked:
        raise LinkProblem(
            "This link is locked after too many wrong dates of birth. Please contact the school "
            "office, who can send you a new one."
        )
    return invite


def children_of(invite: RoundInvite) -> list[Student]:
    """The carer's children on roll at the round's school."""
    return list(
        Student.objects.filter(
            school_id=invite.round.school_id,
            left_on__isnull=True,
            pk__in=StudentCarer.objects.filter(carer_id=invite.carer_id).values("student_id"),
        ).order_by("given_name", "pk")
    )
