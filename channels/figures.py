"""Official accounts on the trustees' dashboard (4.1, 4.2, 4.5d, 5.13): counts per school.

Counts of accounts identify nobody, so they are not suppressed. One query whatever the data.
"""

from __future__ import annotations

from django.db.models import Count, Q

from portal.figures import Chart, FigureRow, FigureTable, Scope, count_cell

from .models import OfficialAccount

S = OfficialAccount.Status
COLUMNS = [
    ("active", "Active"),
    ("waiting", "Awaiting approval"),
    ("reviews_overdue", "Annual review overdue"),
    ("new_owner", "Needing a new owner"),
]


def channel_dashboard_figures(scope: Scope) -> list[FigureTable]:
    live = [S.ACTIVE, S.SUSPENDED]
    rows = (
        OfficialAccount.objects.filter(school_id__in=scope.school_ids)
        .values("school_id")
        .annotate(
            active=Count("pk", filter=Q(status=S.ACTIVE)),
            waiting=Count("pk", filter=Q(status=S.SUBMITTED)),
            reviews_overdue=Count("pk", filter=Q(status__in=live, next_review_due__lt=scope.today)),
            new_owner=Count(
                "pk",
                filter=Q(needs_new_owner=True) & ~Q(status__in=[S.CLOSED, S.REJECTED]),
            ),
        )
        .order_by()
    )
    per_school = {r["school_id"]: r for r in rows}
    empty = dict.fromkeys((key for key, _ in COLUMNS), 0)
    table_rows = []
    totals = dict(empty)
    for school in scope.schools:
        figures = per_school.get(school.pk, empty)
        table_rows.append(FigureRow(school.name, [count_cell(figures[key]) for key, _ in COLUMNS]))
        for key, _ in COLUMNS:
            totals[key] += figures[key]
    table_rows.append(
        FigureRow(scope.total_label, [count_cell(totals[key]) for key, _ in COLUMNS], is_total=True)
    )
    colours = {"active": "success", "waiting": "warning", "reviews_overdue": "danger"}
    chart = Chart(
        labels=[s.name for s in scope.schools],
        datasets=[
            {
                "label": label,
                "data": [per_school.get(s.pk, empty)[key] for s in scope.schools],
                "color": colours.get(key, "secondary"),
            }
            for key, label in COLUMNS
        ],
    )
    return [
        FigureTable(
            key="channels-accounts",
            title="Official social media accounts",
            columns=[label for _, label in COLUMNS],
            rows=table_rows,
            chart=chart,
            note="Reviews are due a year after activation or the last review (4.5d); an account "
            "needs a new owner when its owner or a deputy has left (5.13).",
        )
    ]
