"""The trustees' dashboard: figures contributed by each app through one registry.

An app registers a provider from its AppConfig.ready():

    from portal.figures import register_figures
    register_figures(my_provider)   # my_provider(scope: Scope) -> list[FigureTable]

Rules for a provider (asserted by tests/dashboard/test_trust_dashboard*.py):
- counts and rates only: no names, no case details, nothing that identifies a person;
- a fixed number of queries whatever the amount of data (aggregate in the database, or fetch
  rows for all of `scope.schools` at once and fold them in Python);
- a count that could identify someone (breach cells) goes through `count_cell(n, suppress=True)`,
  which shows "fewer than 5" for 1 to 4.

The page, the CSV export and the print layout all render the same FigureTables.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from .csv_safety import csv_safe


class School(Protocol):
    """What the figures need of a school (accounts.School is one): this layer names no app."""

    pk: Any
    name: str


# Cells with 1 to SMALL_NUMBER - 1 cases are suppressed so that nobody can be identified.
SMALL_NUMBER = 5
SUPPRESSED_TEXT = f"fewer than {SMALL_NUMBER}"
PERIOD_CHOICES = [(12, "Last 12 months"), (6, "Last 6 months"), (3, "Last 3 months")]


@dataclass(frozen=True)
class Cell:
    """One figure: `value` feeds the chart (None when suppressed or not applicable), `text`
    is what the table, the CSV and the print layout show."""

    value: float | int | None
    text: str
    suppressed: bool = False


def count_cell(n: int, *, suppress: bool = False) -> Cell:
    """A count; with `suppress`, 1 to 4 show as "fewer than 5" (0 is safe to show)."""
    if suppress and 0 < n < SMALL_NUMBER:
        return Cell(None, SUPPRESSED_TEXT, True)
    return Cell(n, str(n))


WITHHELD_TEXT = "withheld"


def protect_totals(rows: list[FigureRow]) -> list[FigureRow]:
    """Secondary suppression: where exactly one row of a column is suppressed, the total
    would give it away (total minus the others), so the total is withheld too."""
    body = [r for r in rows if not r.is_total]
    for total in (r for r in rows if r.is_total):
        for i, cell in enumerate(total.cells):
            hidden = sum(1 for r in body if r.cells[i].suppressed)
            if hidden == 1 and not cell.suppressed:
                total.cells[i] = Cell(None, WITHHELD_TEXT, True)
    return rows


def rate_cell(done: int, out_of: int) -> Cell:
    if not out_of:
        return Cell(None, "n/a")
    pct = round(100 * done / out_of)
    return Cell(pct, f"{pct}%")


@dataclass
class FigureRow:
    label: str  # a school's name or "Whole trust"
    cells: list[Cell]
    is_total: bool = False


@dataclass
class Chart:
    """A Chart.js bar chart drawn by static/js/dashboard.js; the table is its text equivalent."""

    labels: list[str]
    datasets: list[dict]  # {"label": str, "data": [number|None], "color": "danger"|...}
    stacked: bool = False
    unit: str = ""  # "%" for rates

    def as_config(self) -> dict:
        return {
            "labels": self.labels,
            "datasets": self.datasets,
            "stacked": self.stacked,
            "unit": self.unit,
        }


@dataclass
class FigureTable:
    key: str  # "policies.reviews": stable, used for element ids and CSV
    title: str
    columns: list[str]
    rows: list[FigureRow]
    chart: Chart | None = None
    note: str = ""

    @property
    def chart_json(self) -> str:
        """The chart's data for a data-chart attribute (the CSP allows no inline script)."""
        return json.dumps(self.chart.as_config()) if self.chart else ""


@dataclass
class Scope:
    """Whose figures: the schools the viewer may see (all of the trust for trust roles, their
    own school for a school leader), narrowed by the filters."""

    schools: list[School]
    trust_view: bool
    today: date
    period_months: int = 12
    filtered_school: School | None = None
    available_schools: list[School] = field(default_factory=list)
    # Who looks (issue 14): breach figures count only cases the viewer may see, never one
    # about them, and only trust roles that handle cases get a school's breakdown by month.
    viewer: Any = None
    handles_cases: bool = False

    @property
    def school_ids(self) -> list[int]:
        return [s.pk for s in self.schools]

    @property
    def period_start(self) -> date:
        return self.today - relativedelta(months=self.period_months)

    @property
    def total_label(self) -> str:
        return "Whole trust" if self.trust_view and self.filtered_school is None else "Total"

    def narrowed(self, school_id: int | None = None, period_months: int = 12) -> Scope:
        """The filters applied to the viewer's full scope (no query): a school outside
        `available_schools` is ignored."""
        chosen = next((s for s in self.available_schools if s.pk == school_id), None)
        return Scope(
            schools=[chosen] if chosen else self.available_schools,
            trust_view=self.trust_view,
            today=self.today,
            period_months=period_months,
            filtered_school=chosen,
            available_schools=self.available_schools,
            viewer=self.viewer,
            handles_cases=self.handles_cases,
        )


Provider = Callable[[Scope], list[FigureTable]]
FIGURE_PROVIDERS: list[Provider] = []


def register_figures(provider: Provider) -> None:
    if provider not in FIGURE_PROVIDERS:
        FIGURE_PROVIDERS.append(provider)


def trust_figures(scope: Scope) -> list[FigureTable]:
    tables: list[FigureTable] = []
    for provider in FIGURE_PROVIDERS:
        tables.extend(provider(scope))
    return tables


def csv_rows(scope: Scope, tables: list[FigureTable]) -> list[list[str]]:
    rows = [["section", "school", "figure", "value"]]
    for table in tables:
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                rows.append([csv_safe(table.title), csv_safe(row.label), csv_safe(column),
                             csv_safe(cell.text)])  # fmt: skip
    return rows
