"""State changes of consent records (4.5e, 4.5f). Decisions are events: nothing is overwritten."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import require
from accounts.models import User
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record

from .errors import ConsentError
from .models import (
    Carer,
    ConsentDecision,
    ConsentItem,
    ConsentWording,
    CurrentConsent,
    Medium,
    Purpose,
    Student,
    StudentCarer,
    most_restrictive_naming,
)
from .selectors import school_year_of

ALL_ITEMS = [(p, m) for p in Purpose.values for m in Medium.values]


def recompute_current(student: Student, school_year: int) -> dict[tuple[str, str], CurrentConsent]:
    """Derive the state in force from each carer's latest decision of the year.

    The more restrictive carer wins (a refusal beats a consent, the narrower naming beats the
    wider) and the disagreement is kept visible.
    """
    latest: dict[int, ConsentDecision] = {}
    for decision in (
        ConsentDecision.objects.filter(student=student, school_year=school_year)
        .prefetch_related("items")
        .order_by("carer_id", "-created_at", "-id")
    ):
        latest.setdefault(decision.carer_id, decision)
    per_item: dict[tuple[str, str], list[tuple[bool, str]]] = defaultdict(list)
    for decision in latest.values():
        for item in decision.items.all():
            per_item[(item.purpose, item.medium)].append((item.allowed, decision.naming))
    result: dict[tuple[str, str], CurrentConsent] = {}
    for (purpose, medium), answers in per_item.items():
        allowed = all(a for a, _ in answers)
        namings = [n for a, n in answers if a]
        naming = most_restrictive_naming(namings) if allowed else "none"
        disagreement = len({a for a, _ in answers}) > 1 or len(set(namings)) > 1
        current, _ = CurrentConsent.objects.update_or_create(
            student=student,
            school_year=school_year,
            purpose=purpose,
            medium=medium,
            defaults={"allowed": allowed, "naming": naming, "disagreement": disagreement},
        )
        result[(purpose, medium)] = current
    CurrentConsent.objects.filter(student=student, school_year=school_year).exclude(
        pk__in=[c.pk for c in result.values()]
    ).delete()
    # The summary the dashboard counts (Student.decision_year), kept in the same transaction.
    student.decision_year = CurrentConsent.objects.filter(student=student).aggregate(
        year=Max("school_year")
    )["year"]
    Student.objects.filter(pk=student.pk).update(decision_year=student.decision_year)
    return result


def consent_record(
    *,
    actor: User,
    student: Student,
    carer: Carer,
    method: str,
    wording: ConsentWording,
    given_on: date,
    naming: str,
    allowed: dict[tuple[str, str], bool],
    is_withdrawal: bool = False,
) -> ConsentDecision:
    """Record a carer's decision (4.5e) as a new event and re-derive the current state.

    Every purpose × medium must be answered, so a decision never leaves a gap that could be
    read as consent.
    """
    require(
        user_has_school_perm(actor, Perm.MANAGE_CONSENT, student.school_id),
        "Only the school's consent administrators keep consent records.",
    )
    return decision_add(
        entered_by=actor,
        student=student,
        carer=carer,
        method=method,
        wording=wording,
        given_on=given_on,
        naming=naming,
        allowed=allowed,
        is_withdrawal=is_withdrawal,
    )


def decision_add(
    *,
    entered_by,
    student: Student,
    carer: Carer,
    method: str,
    wording: ConsentWording,
    given_on: date,
    naming: str,
    allowed: dict[tuple[str, str], bool],
    is_withdrawal: bool = False,
) -> ConsentDecision:
    """The rules of every decision, whoever enters it: office staff (`consent_record`, which
    checks their permission first) or the carer themselves online (`entered_by` None, from
    the consent round, whose link and date-of-birth check stand in for the permission)."""
    actor = entered_by
    if not StudentCarer.objects.filter(student=student, carer=carer).exists():
        raise ConsentError(f"{carer} is not a recorded parent or carer of {student}.")
    missing = [k for k in ALL_ITEMS if k not in allowed]
    if missing:
        raise ConsentError("Answer every purpose for both photo and video.")
    if wording.school_id not in (None, student.school_id):
        raise ConsentError("That consent wording belongs to another school.")
    if given_on > timezone.localdate():
        # It would belong to a school year not yet begun, and count for none until then.
        raise ConsentError("The date the decision was given cannot be in the future.")
    year = school_year_of(given_on)
    with transaction.atomic():
        # The student's row is the lock publication_record takes: a post being recorded now
        # is either seen below (and taken down) or checked after this decision.
        Student.objects.select_for_update().filter(pk=student.pk).first()
        before = {
            (c.purpose, c.medium): (c.allowed, c.naming)
            for c in CurrentConsent.objects.filter(student=student, school_year=year)
        }
        decision = ConsentDecision.objects.create(
            student=student,
            carer=carer,
            method=method,
            wording=wording,
            given_on=given_on,
            school_year=year,
            naming=naming,
            is_withdrawal=is_withdrawal,
            entered_by=actor,
        )
        ConsentItem.objects.bulk_create(
            ConsentItem(decision=decision, purpose=p, medium=m, allowed=allowed[(p, m)])
            for p, m in ALL_ITEMS
        )
        after = recompute_current(student, year)
        narrowed = sorted(
            f"{p}/{m}"
            for (p, m), (was_allowed, was_naming) in before.items()
            if was_allowed
            and (
                (p, m) not in after
                or not after[(p, m)].allowed
                or _narrower(after[(p, m)].naming, was_naming)
            )
        )
        record(
            actor,
            "consent.withdrawn"
            if is_withdrawal
            else ("consent.narrowed" if narrowed else "consent.recorded"),
            decision,
            student.school,
            {
                "student_id": student.pk,
                "method": method,
                "wording": wording.version,
                "school_year": year,
                "narrowed": narrowed,
            },
        )
        if narrowed:
            from .publishing import open_takedowns

            open_takedowns(actor=actor, student=student, decision=decision, narrowed=narrowed)
    return decision


def _narrower(new: str, old: str) -> bool:
    from .models import NAMING_ORDER

    return NAMING_ORDER.index(new) < NAMING_ORDER.index(old)


def consent_withdraw(
    *,
    actor: User,
    student: Student,
    carer: Carer,
    method: str,
    wording: ConsentWording,
    given_on: date,
) -> ConsentDecision:
    """A withdrawal is a new decision refusing everything (4.5e: consent can be withdrawn)."""
    return consent_record(
        actor=actor,
        student=student,
        carer=carer,
        method=method,
        wording=wording,
        given_on=given_on,
        naming="none",
        allowed=dict.fromkeys(ALL_ITEMS, False),
        is_withdrawal=True,
    )


def carer_add(
    *, actor: User, student: Student, name: str, relationship: str = "", email: str = ""
) -> Carer:
    """A parent or carer missing from the MIS export, added by the office (4.5e: their consent
    must be recordable). The next import leaves them in place."""
    require(
        user_has_school_perm(actor, Perm.MANAGE_CONSENT, student.school_id),
        "Only the school's consent administrators keep consent records.",
    )
    if not name.strip():
        raise ConsentError("Give the parent or carer's name.")
    with transaction.atomic():
        carer = Carer.objects.create(
            school_id=student.school_id, name=name.strip(), email=email.strip()
        )
        StudentCarer.objects.create(student=student, carer=carer, relationship=relationship.strip())
        record(actor, "consent.carer_added", carer, student.school_id, {"student_id": student.pk})
    return carer
