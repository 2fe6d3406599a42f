"""Reads of students and consent. Nobody outside a school sees its students."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from accounts.types import Viewer
from portal.home_cards import CardQuery, card_count, card_provider

from .models import (
    NAMING_ORDER,
    CurrentConsent,
    ImportBatch,
    Medium,
    Naming,
    Publication,
    Purpose,
    Student,
    Takedown,
)


def school_year_of(day: date) -> int:
    """The school year a date falls in: 1 September starts a new one (2026 = 2026/27)."""
    return day.year if day.month >= 9 else day.year - 1


def current_school_year() -> int:
    return school_year_of(timezone.localdate())


def students_visible_to(user: Viewer, perm: str = Perm.VIEW_CONSENT) -> QuerySet[Student]:
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


def student_list_for(
    user: Viewer, *, q: str = "", year: str = "", form: str = "", school=None
) -> QuerySet[Student]:
    """The student list: filters applied in the database, a fixed number of queries."""
    qs = students_visible_to(user).filter(left_on__isnull=True).select_related("school")
    if school:
        qs = qs.filter(school=school)
    if year:
        # As the MIS writes it, in any case ("year 7", "Y7", "r"): the stored form is N1-13.
        from .mis_values import normalise_year

        qs = qs.filter(year_group=normalise_year(year) or year.strip().upper())
    if form:
        qs = qs.filter(form__iexact=form)
    for word in q.split()[:4]:
        qs = qs.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return qs.order_by("school__name", "year_group", "form", "family_name", "given_name")


def consent_states(
    students, purpose: str, medium: str, school_year: int | None = None
) -> dict[int, tuple[bool, str]]:
    """{student_id: (allowed, naming)} for one purpose and medium, in one query and one row per
    student: a list page needs one column, not every purpose and medium of every student. A
    student with a decision in force this year but none for this purpose and medium is
    (False, ""); a student without any decision this year is missing."""
    year = school_year if school_year is not None else current_school_year()
    this = Q(purpose=purpose, medium=medium)
    rows = (
        CurrentConsent.objects.filter(student__in=[s.pk for s in students], school_year=year)
        .values("student_id")
        .annotate(
            allowed=Count("pk", filter=this & Q(allowed=True)), naming=Max("naming", filter=this)
        )
        .order_by()
        .values_list("student_id", "allowed", "naming")
    )
    return {pk: (bool(allowed), naming or "") for pk, allowed, naming in rows}


def current_by_student(
    students, school_year: int | None = None
) -> dict[int, dict[tuple[str, str], CurrentConsent]]:
    """{student_id: {(purpose, medium): CurrentConsent}} in one query."""
    year = school_year if school_year is not None else current_school_year()
    out: dict[int, dict[tuple[str, str], CurrentConsent]] = {}
    for c in CurrentConsent.objects.filter(student__in=[s.pk for s in students], school_year=year):
        out.setdefault(c.student_id, {})[(c.purpose, c.medium)] = c
    return out


def accounts_for_check(user: Viewer):
    """Active official accounts the user may publish on, in schools where they read consent."""
    from channels.selectors import account_visible_to

    return (
        account_visible_to(user)
        .filter(status="active", school__in=school_ids_with_perm(user, Perm.VIEW_CONSENT))
        .select_related("platform", "school")
        # What the check and the record use: the picker's names, the status and the school
        # (not the registration's texts and attestations).
        .only("handle", "status", "school__name", "platform__name")
        .order_by("school__name", "handle")
    )


def coverage(user: Viewer, school_year: int | None = None) -> list[dict]:
    """Per school and year group: students on roll and the share with a current decision."""
    year = school_year if school_year is not None else current_school_year()
    students = students_visible_to(user).filter(left_on__isnull=True)
    on_roll = students.values("school_id", "school__name", "year_group").annotate(n=Count("id"))
    covered = (
        students.filter(current__school_year=year)
        .values("school_id", "year_group")
        .annotate(n=Count("id", distinct=True))
    )
    covered_map = {(c["school_id"], c["year_group"]): c["n"] for c in covered}
    rows = []
    for r in on_roll:
        with_decision = covered_map.get((r["school_id"], r["year_group"]), 0)
        rows.append(
            {
                "school": r["school__name"],
                "year_group": r["year_group"],
                "on_roll": r["n"],
                "with_decision": with_decision,
                "percent": round(100 * with_decision / r["n"]) if r["n"] else 0,
            }
        )
    return sorted(rows, key=lambda r: (r["school"], YEAR_ORDER.get(r["year_group"], 99)))


YEAR_ORDER = {"N1": -2, "N2": -1, "N": -1, "R": 0, **{str(n): n for n in range(1, 15)}}


def takedowns_visible_to(user: Viewer) -> QuerySet[Takedown]:
    """The owner's own takedown tasks, and every one of the schools where the user leads."""
    if not getattr(user, "is_authenticated", False):
        return Takedown.objects.none()
    return Takedown.objects.filter(
        Q(owner=user) | Q(school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
    )


def students_by_ids(user, ids: list[int]) -> list[Student]:
    """The students of `ids` that the user keeps records of, by name (the import preview's
    list of students missing from a file). One query."""
    if not ids:
        return []
    return list(
        students_visible_to(user, Perm.MANAGE_CONSENT)
        .filter(pk__in=ids)
        .only("given_name", "family_name", "preferred_name", "year_group", "form", "mis_id")
        .order_by("family_name", "given_name", "pk")
    )


def publications_of(account) -> QuerySet[Publication]:
    """The posts recorded for an official account (4.5e), newest first, each with how many
    students appear and its takedowns open and done: one query per page whatever the rows."""
    return (
        Publication.objects.filter(account=account)
        .annotate(
            students=Count("appearances", distinct=True),
            takedowns_open=Count(
                "takedowns", filter=Q(takedowns__status=Takedown.Status.OPEN), distinct=True
            ),
            takedowns_done=Count(
                "takedowns", filter=Q(takedowns__status=Takedown.Status.DONE), distinct=True
            ),
        )
        .order_by("-published_on", "-id")
    )


EXPORT_ITEMS = [(p, m) for p in Purpose.values for m in Medium.values]


def student_export_rows(user, school_year: int | None = None):
    """The office's export: students on roll of the schools where the user keeps consent,
    with the decision in force this school year per purpose and medium, and how each may be
    named. Header first; two queries in all (students, then their current consent in
    chunks). Cells are plain values: the view makes them formula-safe."""
    year = school_year if school_year is not None else current_school_year()
    students = (
        students_visible_to(user, Perm.MANAGE_CONSENT)
        .filter(left_on__isnull=True)
        .select_related("school")
        .order_by("school__name", "year_group", "form", "family_name", "given_name", "pk")
    )
    yield [
        "school",
        "MIS id",
        "family name",
        "given name",
        "preferred name",
        "year group",
        "class",
        "school year",
        *[f"{Purpose(p).label}: {Medium(m).label.lower()}" for p, m in EXPORT_ITEMS],
        "may be named",
        "carers disagree",
    ]
    label = f"{year}/{(year + 1) % 100:02d}"
    chunk: list[Student] = []
    for student in students.iterator(chunk_size=1000):
        chunk.append(student)
        if len(chunk) == 1000:
            yield from _export_chunk(chunk, year, label)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk, year, label)


def _export_chunk(students: list[Student], year: int, label: str):
    current = current_by_student(students, year)
    for s in students:
        mine = current.get(s.pk, {})
        answers = []
        for p, m in EXPORT_ITEMS:
            c = mine.get((p, m))
            answers.append("no decision" if c is None else ("yes" if c.allowed else "no"))
        namings = [c.naming for c in mine.values() if c.allowed]
        naming = Naming(min(namings, key=NAMING_ORDER.index)).label if namings else ""
        yield [
            s.school.name,
            s.mis_id,
            s.family_name,
            s.given_name,
            s.preferred_name,
            s.year_group,
            s.form,
            label,
            *answers,
            naming,
            "yes" if any(c.disagreement for c in mine.values()) else "",
        ]


def imports_visible_to(user: Viewer) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(school__in=school_ids_with_perm(user, Perm.MANAGE_CONSENT))


def students_without_decision(user: Viewer, school_year: int | None = None) -> QuerySet[Student]:
    """Students on roll at the schools where the user keeps consent with no decision in force
    this school year. Read from the summary the consent services keep, Student.decision_year
    (the latest school year with a decision; never a future one, consent_record refuses
    those), through its partial index."""
    year = school_year if school_year is not None else current_school_year()
    return (
        students_visible_to(user, Perm.MANAGE_CONSENT)
        .filter(left_on__isnull=True)
        .exclude(decision_year=year)
    )


@card_provider
def home_cards(user: Viewer) -> list[CardQuery]:
    """Home-page cards: open takedowns for owners and leaders, students without a decision
    for consent administrators (counted from these selectors with the other cards in one
    query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cards = [
        card_count(
            "Posts to take down (consent withdrawn)",
            takedowns_visible_to(user).filter(status=Takedown.Status.OPEN),
            reverse("consents:takedown_list"),
            "danger",
        )
    ]
    if school_ids_with_perm(user, Perm.MANAGE_CONSENT):
        cards.append(
            card_count(
                "Students without a consent decision this year",
                students_without_decision(user),
                reverse("consents:coverage"),
                "warning",
            )
        )
    return cards
