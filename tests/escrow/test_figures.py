"""Escrow figures on the trustees' dashboard (issue 8 with issue 5)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.figures import dashboard_scope
from escrow.figures import escrow_dashboard_figures
from escrow.models import Credential

from .factories import active_account, escrowed_account


def row_of(world, scope):
    table = escrow_dashboard_figures(scope)[0]
    return [c.text for c in next(r for r in table.rows if r.label == world.school_a.name).cells]


def test_missing_overdue_and_required_per_school(world):
    active_account(world)  # live, nothing in escrow
    overdue = escrowed_account(world)
    Credential.objects.filter(account=overdue).update(
        rotated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    required = escrowed_account(world)
    Credential.objects.filter(account=required).update(rotation_required=True)
    assert row_of(world, dashboard_scope(world.trustee)) == ["1", "1", "1"]


def test_a_fixed_number_of_queries(world):
    scope = dashboard_scope(world.trustee)
    escrowed_account(world)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            escrow_dashboard_figures(scope)
        return len(ctx.captured_queries)

    before = queries()
    for _ in range(4):
        escrowed_account(world)
        active_account(world, school="b")
    assert queries() == before
