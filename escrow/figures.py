"""The escrow on the trustees' dashboard (4.5c, 5.19): live accounts without current login
details in escrow, rotations overdue and rotations required, per school. Counts of accounts
identify nobody. One query whatever the data, counted in PostgreSQL (no account row fetched)."""

from __future__ import annotations

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate

from channels.models import OfficialAccount
from portal.figures import Chart, FigureRow, FigureTable, Scope, count_cell

from .models import CredentialVersion

LIVE = [OfficialAccount.Status.ACTIVE, OfficialAccount.Status.SUSPENDED]
COLUMNS = [
    ("missing", "Live accounts without login details in escrow"),
    ("overdue", "Password change overdue"),
    ("required", "Password change required"),
]


def escrow_dashboard_figures(scope: Scope) -> list[FigureTable]:
    has_current = Exists(
        CredentialVersion.objects.filter(
            credential__account=OuterRef("pk"), superseded_at__isnull=True
        )
    )
    # Due on the local date of the last change plus the interval (date + integer days).
    due = ExpressionWrapper(
        TruncDate("credential__rotated_at") + F("credential__rotation_interval_days"),
        output_field=DateField(),
    )
    # Grouped by (school, has current details): the EXISTS is evaluated once per account.
    # (Three COUNT(...) FILTER (WHERE EXISTS ...) made the planner's estimate cross
    # jit_above_cost: 80 ms of JIT compilation on the scale data.)
    rows = (
        OfficialAccount.objects.filter(school_id__in=scope.school_ids, status__in=LIVE)
        .annotate(has_current=has_current, due=due)
        .values("school_id", "has_current")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(due__lte=scope.today)),
            required=Count("pk", filter=Q(credential__rotation_required=True)),
        )
        .order_by()
    )
    empty = dict.fromkeys((k for k, _ in COLUMNS), 0)
    per_school: dict[int, dict[str, int]] = {}
    for r in rows:
        figures = per_school.setdefault(r["school_id"], dict(empty))
        if r["has_current"]:
            figures["overdue"] += r["overdue"]
            figures["required"] += r["required"]
        else:
            figures["missing"] += r["n"]
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
            "changed regularly (5.19); a change is required after a leaver or when the school "
            "asks.",
        )
    ]
