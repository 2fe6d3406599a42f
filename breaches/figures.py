"""Breach reports on the trustees' dashboard (section 7): counts only, and any count of 1 to 4
shows as "fewer than 5" so that nobody can be identified. Three queries whatever the data, all
aggregated in PostgreSQL (medians included), so no case row is fetched."""

from __future__ import annotations

from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.figures import (
    SMALL_NUMBER,
    Cell,
    Chart,
    FigureRow,
    FigureTable,
    Scope,
    count_cell,
    protect_totals,
)

from .models import BreachCase, Category
from .selectors import case_visible_to

S = BreachCase.Status


class MedianDays(Aggregate):
    """The median of a duration in days, in PostgreSQL: percentile_cont(0.5) is the median
    (the mean of the middle two for an even count, as statistics.median); NULLs are left out.
    The cases are never fetched, however many there are."""

    function = "percentile_cont"
    template = (
        "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)) / 86400)"
    )
    output_field = FloatField()


MEDIAN_HIDDEN_TEXT = "not shown: under 5 cases"


def _median_cell(n: int, value: float | None) -> Cell:
    # A median over fewer than 5 cases could point at one person's case, so it is not shown;
    # the cell says why in words about cases, not with the count label "fewer than 5" that
    # would read as a time (issue 18). Not marked suppressed: a median cannot be worked out
    # from the others, so the total need not be withheld because of it.
    if not n or value is None:
        return Cell(None, "n/a")
    if n < 5:
        return Cell(None, MEDIAN_HIDDEN_TEXT)
    return Cell(round(value, 1), f"{value:.1f} days")


def _counted_cases(scope: Scope):
    """Issue 14: a figure counts only cases its viewer may see. A school's leaders count the
    cases routed to them (a case about their headteacher that went to trust HR is not among
    them); trust roles count every case but one about themselves."""
    viewer = scope.viewer
    if scope.trust_view:
        qs = BreachCase.objects.all()
        return qs.exclude(subject=viewer) if getattr(viewer, "pk", None) else qs
    return case_visible_to(viewer)


def _shows_months(scope: Scope) -> bool:
    """Category by month for one school is for the trust roles that handle cases (trust HR);
    other trust roles see it for the whole trust only, a school's leaders not at all."""
    if not scope.trust_view:
        return False
    return scope.handles_cases or scope.filtered_school is None


def breach_dashboard_figures(scope: Scope) -> list[FigureTable]:
    start = scope.period_start
    # An aware datetime, not created_at__date: the index on created_at can then serve it.
    since = timezone.make_aware(datetime.combine(start, time.min))
    cases = _counted_cases(scope).filter(school_id__in=scope.school_ids, created_at__gte=since)
    # Time to acknowledge, for the acknowledged cases (the difference is NULL for the others).
    wait = ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=DurationField())
    waits = {"acknowledged": Count("pk", filter=Q(acknowledged_at__isnull=False)),
             "median_wait": MedianDays(wait)}  # fmt: skip
    counts = {
        r["school_id"]: r
        for r in cases.values("school_id")
        .annotate(
            reported=Count("pk"),
            open=Count("pk", filter=~Q(status=S.CLOSED)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
            **waits,
        )
        .order_by()
    }
    overall = cases.aggregate(**waits)  # the trust's median is not a mean of the schools'

    empty = {"reported": 0, "open": 0, "escalated": 0}
    rows, totals = [], dict(empty)
    for school in scope.schools:
        c = counts.get(school.pk, {**empty, "acknowledged": 0, "median_wait": None})
        rows.append(
            FigureRow(
                school.name,
                [count_cell(c[k], suppress=True) for k in empty]
                + [_median_cell(c["acknowledged"], c["median_wait"])],
            )
        )
        for k in empty:
            totals[k] += c[k]
    rows.append(
        FigureRow(
            scope.total_label,
            [count_cell(totals[k], suppress=True) for k in empty]
            + [_median_cell(overall["acknowledged"], overall["median_wait"])],
            is_total=True,
        )
    )
    summary = FigureTable(
        key="breaches-cases",
        title=f"Breach reports, last {scope.period_months} months",
        columns=["Reported", "Open cases", "Escalated to trust HR", "Median time to acknowledge"],
        rows=protect_totals(rows),
        note="Counts of 1 to 4 show as 'fewer than 5' so that nobody can be identified. A report "
        "not acknowledged within the trust's deadline is escalated to trust HR (7.3).",
    )

    if not _shows_months(scope):
        return [summary]
    # By category and month.
    months = [
        (start + relativedelta(months=i)).replace(day=1) for i in range(scope.period_months + 1)
    ]
    by = {
        (r["category"], r["month"].date() if hasattr(r["month"], "date") else r["month"]): r["n"]
        for r in cases.annotate(month=TruncMonth("created_at"))
        .values("category", "month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    labels = [m.strftime("%b %Y") for m in months]
    cat_rows = []
    datasets = []
    for value, label in Category.choices:
        series = [by.get((value, m), 0) for m in months]
        if not any(series):
            continue
        cat_rows.append(FigureRow(label, [count_cell(n, suppress=True) for n in series]))
        datasets.append(
            {
                "label": label,
                "data": [n if n >= SMALL_NUMBER else None for n in series],
                # Drawn as "fewer than 5" markers by dashboard.js, never as a bar of 0.
                "suppressed": [0 < n < SMALL_NUMBER for n in series],
            }
        )
    month_totals = [sum(by.get((v, m), 0) for v, _ in Category.choices) for m in months]
    cat_rows.append(
        FigureRow(
            scope.total_label, [count_cell(n, suppress=True) for n in month_totals], is_total=True
        )
    )
    by_category = FigureTable(
        key="breaches-by-category",
        title="Breach reports by category and month",
        columns=labels,
        rows=protect_totals(cat_rows),
        chart=Chart(labels=labels, datasets=datasets, stacked=True),
        note="Months with 1 to 4 reports in a category show 'fewer than 5'.",
    )
    return [summary, by_category]
