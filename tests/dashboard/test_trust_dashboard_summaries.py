"""The figures behind the trustees' dashboard stay right at scale (issue 9): the consent
coverage counts the summary the consent services keep (Student.decision_year), the breach
medians and escrow counts are computed in PostgreSQL. Each is checked against the plain
definition it replaced."""

from __future__ import annotations

import datetime
from datetime import timedelta
from importlib import import_module
from statistics import median
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count, Q

from breaches.figures import breach_dashboard_figures
from breaches.models import BreachCase
from consents.figures import consent_dashboard_figures
from consents.models import CurrentConsent, Student
from consents.retention import consent_rollover, students_without_current_decision
from consents.services import ConsentError, consent_withdraw
from dashboard.figures import dashboard_scope
from escrow.figures import escrow_dashboard_figures
from escrow.models import Credential
from tests.breaches.factories import report
from tests.consents.factories import WordingFactory, student_with_carers
from tests.consents.test_consent_records import give
from tests.escrow.factories import escrowed_account

LONDON = ZoneInfo("Europe/London")


def _row(tables, key, label):
    table = next(t for t in tables if t.key == key)
    return [c.text for c in next(r for r in table.rows if r.label == label).cells]


def _coverage(world, school=None):
    tables = consent_dashboard_figures(dashboard_scope(world.trustee))
    return _row(tables, "consents-coverage", (school or world.school_a).name)


def _covered_the_old_way(year: int) -> dict[int, int]:
    """The definition the summary replaced: students on roll with a current-consent row."""
    return dict(
        Student.objects.filter(left_on__isnull=True)
        .values("school_id")
        .annotate(n=Count("pk", distinct=True, filter=Q(current__school_year=year)))
        .values_list("school_id", "n")
    )


def _covered_by_the_summary(year: int) -> dict[int, int]:
    return dict(
        Student.objects.filter(left_on__isnull=True)
        .values("school_id")
        .annotate(n=Count("pk", filter=Q(decision_year=year)))
        .values_list("school_id", "n")
    )


@pytest.fixture
def autumn(time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 9, 0, tzinfo=LONDON), tick=False)
    return time_machine


def test_a_decision_sets_the_summary_and_the_coverage(world, autumn):
    yes, (carer,) = student_with_carers(world.school_a)
    student_with_carers(world.school_a)
    assert _coverage(world) == ["2", "0%", "0"]
    give(world, yes, carer)
    yes.refresh_from_db()
    assert yes.decision_year == 2026
    assert _coverage(world) == ["2", "50%", "0"]


def test_a_withdrawal_is_still_a_decision_in_force(world, autumn):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    consent_withdraw(actor=world.office_a, student=student, carer=carer, method="phone",
                     wording=WordingFactory(), given_on=datetime.date(2026, 10, 2))  # fmt: skip
    student.refresh_from_db()
    assert student.decision_year == 2026
    assert _coverage(world) == ["1", "100%", "0"]
    assert _covered_by_the_summary(2026) == _covered_the_old_way(2026)


def test_the_new_school_year_starts_with_no_coverage_until_new_decisions(world, autumn):
    student, (carer,) = student_with_carers(world.school_a)
    other, (other_carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    give(world, other, other_carer)
    assert _coverage(world) == ["2", "100%", "0"]
    autumn.move_to(datetime.datetime(2027, 9, 2, 9, 0, tzinfo=LONDON), tick=False)
    assert consent_rollover() == {world.school_a.pk: 2}  # the rollover itself rewrites nothing
    assert _coverage(world) == ["2", "0%", "0"]
    give(world, student, carer, day=datetime.date(2027, 9, 2))
    student.refresh_from_db()
    assert student.decision_year == 2027
    assert _coverage(world) == ["2", "50%", "0"]
    assert _covered_by_the_summary(2027) == _covered_the_old_way(2027)
    assert list(students_without_current_decision(2027)) == [other]


def test_a_late_entry_for_last_year_does_not_move_the_summary_back(world, autumn):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    give(world, student, carer, day=datetime.date(2026, 7, 1))  # school year 2025/26
    student.refresh_from_db()
    assert student.decision_year == 2026
    only_last_year, (c2,) = student_with_carers(world.school_a)
    give(world, only_last_year, c2, day=datetime.date(2026, 7, 1))
    only_last_year.refresh_from_db()
    assert only_last_year.decision_year == 2025
    assert _coverage(world) == ["2", "50%", "0"]
    assert _covered_by_the_summary(2026) == _covered_the_old_way(2026)


def test_a_decision_dated_in_the_future_is_refused(world, autumn):
    student, (carer,) = student_with_carers(world.school_a)
    with pytest.raises(ConsentError, match="future"):
        give(world, student, carer, day=datetime.date(2026, 10, 3))
    student.refresh_from_db()
    assert student.decision_year is None
    assert not CurrentConsent.objects.filter(student=student).exists()


def test_students_who_left_are_not_counted(world, autumn):
    stays, (c1,) = student_with_carers(world.school_a)
    left, (c2,) = student_with_carers(world.school_a)
    give(world, stays, c1)
    give(world, left, c2)
    Student.objects.filter(pk=left.pk).update(left_on=datetime.date(2026, 10, 1))
    assert _coverage(world) == ["1", "100%", "0"]


def test_the_migration_fills_the_summary_from_the_current_state(world, autumn):
    first, (c1,) = student_with_carers(world.school_a)
    second, (c2,) = student_with_carers(world.school_a)
    give(world, first, c1)
    give(world, second, c2, day=datetime.date(2026, 7, 1))
    student_with_carers(world.school_a)  # no decision
    Student.objects.update(decision_year=None)  # as before the migration
    migration = import_module("consents.migrations.0002_student_decision_year")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    years = dict(Student.objects.values_list("pk", "decision_year"))
    assert years[first.pk] == 2026 and years[second.pk] == 2025
    assert _covered_by_the_summary(2026) == _covered_the_old_way(2026)


# --- Breach medians, computed in PostgreSQL ------------------------------------------------


def _acknowledge_after(cases, days: list[float]) -> None:
    for case, wait in zip(cases, days, strict=True):
        BreachCase.objects.filter(pk=case.pk).update(
            acknowledged_at=case.created_at + timedelta(days=wait)
        )


def test_breach_medians_per_school_and_for_the_trust(world):
    a_waits, b_waits = [1, 2, 3, 4, 5, 10], [0.5, 1, 1, 2, 8]
    _acknowledge_after([report(world) for _ in a_waits], a_waits)
    b_cases = [report(world, school=world.school_b, actor=world.teacher_b) for _ in b_waits]
    _acknowledge_after(b_cases, b_waits)
    report(world)  # not acknowledged: no wait to count
    tables = breach_dashboard_figures(dashboard_scope(world.trustee))
    assert _row(tables, "breaches-cases", world.school_a.name)[3] == f"{median(a_waits):.1f} days"
    assert _row(tables, "breaches-cases", world.school_b.name)[3] == "1.0 days"
    # The trust's median is the median of all the waits (2.0), not the schools' mean (2.25).
    assert _row(tables, "breaches-cases", "Whole trust")[3] == "2.0 days"


def test_a_median_over_fewer_than_five_cases_is_hidden_and_says_why_in_cases(world):
    _acknowledge_after([report(world) for _ in range(3)], [1, 2, 3])
    tables = breach_dashboard_figures(dashboard_scope(world.trustee))
    # Not "fewer than 5", a count label that would read as a time (issue 18).
    assert _row(tables, "breaches-cases", world.school_a.name)[3] == "not shown: under 5 cases"
    assert _row(tables, "breaches-cases", world.school_b.name)[3] == "n/a"


# --- Escrow counts, computed in PostgreSQL ----------------------------------------------


def test_a_password_change_is_due_on_the_local_date_of_the_last_change(world, time_machine):
    # 00:30 in London on 1 July is 23:30 UTC on 30 June: the local date is the one that counts.
    time_machine.move_to(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON), tick=False)
    changed = datetime.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)
    days_since = (datetime.date(2026, 11, 24) - datetime.date(2026, 7, 1)).days
    due_today, due_tomorrow = escrowed_account(world), escrowed_account(world)
    Credential.objects.filter(account=due_today).update(
        rotated_at=changed, rotation_interval_days=days_since
    )
    Credential.objects.filter(account=due_tomorrow).update(
        rotated_at=changed, rotation_interval_days=days_since + 1
    )
    tables = escrow_dashboard_figures(dashboard_scope(world.trustee))
    assert _row(tables, "escrow-credentials", world.school_a.name) == ["0", "1", "0"]


def test_a_suppressed_month_is_marked_for_the_chart_not_drawn_as_nothing(world):
    for _ in range(3):
        report(world)
    tables = breach_dashboard_figures(dashboard_scope(world.trustee))
    chart = next(t for t in tables if t.key == "breaches-by-category").chart
    (dataset,) = chart.datasets
    month = len(chart.labels) - 1  # this month
    assert dataset["data"][month] is None  # no number for 1 to 4 ...
    assert dataset["suppressed"][month] is True  # ... but a "fewer than 5" marker
    assert not any(dataset["suppressed"][:month])
