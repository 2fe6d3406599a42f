"""Consent and breach figures on the trustees' dashboard: counts only, small cells suppressed,
a fixed number of queries whatever the data (issue 8 with issues 6 and 7)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from breaches.figures import breach_dashboard_figures
from consents.figures import consent_dashboard_figures
from dashboard.figures import dashboard_scope
from tests.breaches.factories import report
from tests.consents.factories import student_with_carers
from tests.consents.test_consent_records import give


def _table(tables, key):
    return next(t for t in tables if t.key == key)


def test_breach_cells_under_five_are_suppressed_and_no_detail_is_shown(world, client_for):
    for _ in range(3):
        report(world, category="student_contact")
    scope = dashboard_scope(world.trustee)
    summary = _table(breach_dashboard_figures(scope), "breaches-cases")
    row_a = next(r for r in summary.rows if r.label == world.school_a.name)
    assert row_a.cells[0].text == "fewer than 5" and row_a.cells[0].value is None
    for _ in range(2):
        report(world, category="student_contact")
    summary = _table(breach_dashboard_figures(dashboard_scope(world.trustee)), "breaches-cases")
    assert next(r for r in summary.rows if r.label == world.school_a.name).cells[0].text == "5"
    body = client_for("trustee").get(reverse("dashboard:trust")).content.decode()
    assert "Breach reports" in body and "Saw a post naming a student" not in body
    assert world.teacher_a.full_name not in body


def test_consent_coverage_per_school(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 9, 0))
    yes, (carer,) = student_with_carers(world.school_a)
    student_with_carers(world.school_a)
    give(world, yes, carer)
    table = _table(consent_dashboard_figures(dashboard_scope(world.trustee)), "consents-coverage")
    row_a = next(r for r in table.rows if r.label == world.school_a.name)
    assert [c.text for c in row_a.cells] == ["2", "50%", "0"]


def test_figures_use_a_fixed_number_of_queries(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 9, 0))
    scope = dashboard_scope(world.trustee)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            breach_dashboard_figures(scope)
            consent_dashboard_figures(scope)
        return len(ctx.captured_queries)

    before = queries()
    for _ in range(6):
        report(world)
        report(world, school=world.school_b, actor=world.teacher_b)
        student_with_carers(world.school_b)
    assert queries() == before


def test_a_lone_suppressed_school_cannot_be_worked_out_from_the_total(world):
    for _ in range(6):
        report(world, school=world.school_b, actor=world.teacher_b)
    report(world)  # school A: 1 report, suppressed
    summary = _table(breach_dashboard_figures(dashboard_scope(world.trustee)), "breaches-cases")
    cells = {r.label: r.cells[0] for r in summary.rows}
    assert cells[world.school_a.name].suppressed
    assert cells[world.school_b.name].text == "6"
    total = next(r for r in summary.rows if r.is_total).cells[0]
    assert total.suppressed and total.value is None  # 7 - 6 would give school A away
