"""Consent on the trustees' dashboard (4.5e): coverage of the current school year and open
takedowns per school. Counts of students identify nobody. Two queries whatever the data.

Coverage counts students on roll whose `decision_year` (the summary the consent services keep
with the derived state) is this school year: one pass over the students, not over their
current-consent rows (ten per student).
"""

from __future__ import annotations

from django.db.models import Count, Q

from portal.figures import Chart, FigureRow, FigureTable, Scope, count_cell, rate_cell

from .models import Student, Takedown
from .selectors import school_year_of


def consent_dashboard_figures(scope: Scope) -> list[FigureTable]:
    year = school_year_of(scope.today)
    students = {
        r["school_id"]: r
        for r in Student.objects.filter(school_id__in=scope.school_ids, left_on__isnull=True)
        .values("school_id")
        .annotate(
            # Only columns of the partial index on (school, decision_year) are read: PostgreSQL
            # answers from the index alone (an index-only scan).
            on_roll=Count("*"),
            covered=Count("decision_year", filter=Q(decision_year=year)),
        )
        .order_by()
    }
    takedowns = dict(
        Takedown.objects.filter(school_id__in=scope.school_ids, status=Takedown.Status.OPEN)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    rows, total = [], {"on_roll": 0, "covered": 0, "takedowns": 0}
    for school in scope.schools:
        s = students.get(school.pk, {"on_roll": 0, "covered": 0})
        t = takedowns.get(school.pk, 0)
        rows.append(
            FigureRow(
                school.name,
                [count_cell(s["on_roll"]), rate_cell(s["covered"], s["on_roll"]), count_cell(t)],
            )
        )
        total["on_roll"] += s["on_roll"]
        total["covered"] += s["covered"]
        total["takedowns"] += t
    rows.append(
        FigureRow(
            scope.total_label,
            [
                count_cell(total["on_roll"]),
                rate_cell(total["covered"], total["on_roll"]),
                count_cell(total["takedowns"]),
            ],
            is_total=True,
        )
    )
    chart = Chart(
        labels=[s.name for s in scope.schools],
        datasets=[
            {
                "label": "Students with a current decision",
                "data": [r.cells[1].value for r in rows[:-1]],
                "color": "success",
            }
        ],
        unit="%",
    )
    return [
        FigureTable(
            key="consents-coverage",
            title=f"Photo consent, school year {year}/{(year + 1) % 100:02d}",
            columns=["Students on roll", "With a current decision", "Posts to take down"],
            rows=rows,
            chart=chart,
            note="A decision lasts for the school year it was given in (4.5e). A post must be "
            "taken down when a parent or carer withdraws consent.",
        )
    ]
