"""The escrow on the trustees' dashboard (4.5c, 5.19): live accounts without current login
details in escrow, rotations overdue and rotations required, per school. Counts of accounts
identify nobody. One query whatever the data."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from channels.models import OfficialAccount
from dashboard.figures import Chart, FigureRow, FigureTable, Scope, count_cell

from .models import CredentialVersion

LIVE = [OfficialAccount.Status.ACTIVE, OfficialAccount.Status.SUSPENDED]
COLUMNS = [
    ("missing", "Live accounts without login details in escrow"),
    ("overdue", "Password change overdue"),
    ("required", "Password change required"),
]


def escrow_dashboard_figures(scope: Scope) -> list[FigureTable]:
    rows = (
        OfficialAccount.objects.filter(school_id__in=scope.school_ids, status__in=LIVE)
        .annotate(
            has_current=Exists(
                CredentialVersion.objects.filter(
                    credential__account=OuterRef("pk"), superseded_at__isnull=True
                )
            )
        )
        .values_list(
            "school_id",
            "has_current",
            "credential__rotated_at",
            "credential__rotation_interval_days",
            "credential__rotation_required",
        )
    )
    empty = dict.fromkeys((k for k, _ in COLUMNS), 0)
    per_school: dict[int, dict[str, int]] = {}
    for school_id, has_current, rotated_at, interval, required in rows:
        figures = per_school.setdefault(school_id, dict(empty))
        if not has_current:
            figures["missing"] += 1
            continue
        if rotated_at and timezone.localdate(rotated_at) + timedelta(days=interval) <= scope.today:
            figures["overdue"] += 1
        if required:
            figures["required"] += 1
    table_rows, totals = [], dict(empty)
    for school in scope.schools:
        figures = per_school.get(school.pk, empty)
        table_rows.append(FigureRow(school.name, [count_cell(figures[k]) for k, _ in COLUMNS]))
        for k, _ in COLUMNS:
            totals[k] += figures[k]
    table_rows.append(
        FigureRow(scope.total_label, [count_cell(totals[k]) for k, _ in COLUMNS], is_total=True)
    )
    colours = {"missing": "danger", "overdue": "warning", "required": "danger"}
    chart = Chart(
        labels=[s.name for s in scope.schools],
        datasets=[
            {
                "label": label,
                "data": [per_school.get(s.pk, empty)[k] for s in scope.schools],
                "color": colours[k],
            }
            for k, label in COLUMNS
        ],
    )
    return [
        FigureTable(
            key="escrow-credentials",
            title="Login details of official accounts",
            columns=[label for _, label in COLUMNS],
            rows=table_rows,
            chart=chart,
            note="The current login details of every account are held for a leader (4.5c) and "
            "changed regularly (5.19); a change is required after a leaver or a breach report.",
        )
    ]
