"""Reads of students and consent. Nobody outside a school sees its students."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm

from .models import CurrentConsent, Naming, Student


def school_year_of(day: date) -> int:
    """The school year a date falls in: 1 September starts a new one (2026 = 2026/27)."""
    return day.year if day.month >= 9 else day.year - 1


def current_school_year() -> int:
    return school_year_of(timezone.localdate())


def students_visible_to(user, perm: str = Perm.VIEW_CONSENT) -> QuerySet[Student]:
    """Students of the schools where the user may read (or, with MANAGE_CONSENT, keep) consent."""
    return Student.objects.filter(school_id__in=school_ids_with_perm(user, perm))


@dataclass(frozen=True)
class Verdict:
    """The answer for one student: may they appear, and how may they be named (4.5e, 4.5f).

    It never says why: another family's reasons are not the teacher's business.
    """

    student: Student
    allowed: bool
    naming: str

    @property
    def shown_as(self) -> str:
        return self.student.shown_as(self.naming) if self.allowed else ""


def consent_verdicts(
    students: list[Student], purpose: str, medium: str, school_year: int | None = None
) -> list[Verdict]:
    """One query whatever the number of students. No current decision means not allowed."""
    year = school_year if school_year is not None else current_school_year()
    rows = {
        c.student_id: c
        for c in CurrentConsent.objects.filter(
            student__in=[s.pk for s in students], school_year=year, purpose=purpose, medium=medium
        )
    }
    verdicts = []
    for s in students:
        current = rows.get(s.pk)
        allowed = bool(current and current.allowed and s.left_on is None)
        verdicts.append(Verdict(s, allowed, current.naming if allowed else Naming.NONE))
    return verdicts
