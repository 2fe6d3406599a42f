"""The policy figures of the trustees' dashboard (header: the review date; clause 8)."""

from __future__ import annotations

from portal.figures import Cell, Chart, FigureRow, FigureTable, Scope, count_cell, rate_cell

from .selectors import overdue_policies, policy_figures


def policy_dashboard_figures(scope: Scope) -> list[FigureTable]:
    """Reviews overdue / due within 60 days / current, and acknowledgement rates, per school and
    in total. Counts of policies identify nobody, so they are not suppressed. Three queries."""
    per_school, total = policy_figures(scope.schools, scope.today)
    review_rows = []
    ack_rows = []
    for school in scope.schools:
        f = per_school[school.pk]
        review_rows.append(
            FigureRow(
                school.name,
                [count_cell(f.overdue), count_cell(f.due_soon), count_cell(f.current)],
            )
        )
        ack_rows.append(FigureRow(school.name, [rate_cell(f.ack_done, f.ack_expected)]))
    review_rows.append(
        FigureRow(
            scope.total_label,
            [count_cell(total.overdue), count_cell(total.due_soon), count_cell(total.current)],
            is_total=True,
        )
    )
    ack_rows.append(
        FigureRow(scope.total_label, [rate_cell(total.ack_done, total.ack_expected)], True)
    )
    labels = [s.name for s in scope.schools]
    reviews = FigureTable(
        key="policies-reviews",
        title="Policy reviews",
        columns=["Overdue", "Due within 60 days", "Current"],
        rows=review_rows,
        chart=Chart(
            labels=labels,
            datasets=[
                {
                    "label": "Overdue",
                    "data": [per_school[s.pk].overdue for s in scope.schools],
                    "color": "danger",
                },
                {
                    "label": "Due within 60 days",
                    "data": [per_school[s.pk].due_soon for s in scope.schools],
                    "color": "warning",
                },
                {
                    "label": "Current",
                    "data": [per_school[s.pk].current for s in scope.schools],
                    "color": "success",
                },
            ],  # fmt: skip
            stacked=True,
        ),
        note="Each school's row counts the trust-wide policies that apply there and its own; "
        "the total counts every policy once.",
    )
    acks = FigureTable(
        key="policies-acknowledgements",
        title="Staff acknowledgement of current policy versions",
        columns=["Acknowledged"],
        rows=ack_rows,
        chart=Chart(
            labels=labels,
            datasets=[
                {
                    "label": "Acknowledged (%)",
                    "data": [ack_rows[i].cells[0].value for i in range(len(scope.schools))],
                    "color": "primary",
                }
            ],
            unit="%",
        ),
        note="Share of (member of staff, policy that applies to them) pairs acknowledged at "
        "the current version.",
    )
    return [reviews, overdue_policy_table(scope), acks]


def overdue_for(days: int) -> str:
    """How long a policy is overdue, in words ("14 days", "about 8 months", "over 2 years")."""
    if days < 62:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"about {round(days / 30.44)} months"
    return f"over {days // 365} years"


def overdue_policy_table(scope: Scope) -> FigureTable:
    """The overdue policies by name (issue 15): school, title, review date, how long overdue.
    The page, the CSV and the print layout show it like every table. One query."""
    rows = [
        FigureRow(
            p.school_name,
            [
                Cell(None, p.title),
                Cell(None, f"{p.review_due:%-d %B %Y}"),
                Cell(p.days_overdue, overdue_for(p.days_overdue)),
            ],
        )
        for p in overdue_policies(scope.schools, scope.today)
    ]
    return FigureTable(
        key="policies-overdue",
        title="Policies past their review date",
        columns=["Policy", "Review date", "Overdue by"],
        rows=rows,
        note="most overdue first" if rows else "none overdue",
    )
