"""The trustees' dashboard: who sees which schools (`dashboard_scope`). The figures' registry
and their types are portal.figures (apps plug in there, below the dashboard); they are
re-exported here for the dashboard's own modules."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from accounts.models import School
from accounts.roles import Perm, TrustRoleKind
from accounts.selectors import school_ids_with_perm, trust_roles_of
from portal.csv_safety import csv_safe
from portal.figures import (
    FIGURE_PROVIDERS,
    PERIOD_CHOICES,
    SMALL_NUMBER,
    SUPPRESSED_TEXT,
    WITHHELD_TEXT,
    Cell,
    Chart,
    FigureRow,
    FigureTable,
    Provider,
    Scope,
    count_cell,
    csv_rows,
    protect_totals,
    rate_cell,
    register_figures,
    trust_figures,
)

__all__ = [
    "FIGURE_PROVIDERS",
    "PERIOD_CHOICES",
    "SMALL_NUMBER",
    "SUPPRESSED_TEXT",
    "TRUST_VIEW_ROLES",
    "WITHHELD_TEXT",
    "Cell",
    "Chart",
    "FigureRow",
    "FigureTable",
    "Provider",
    "Scope",
    "count_cell",
    "csv_rows",
    "csv_safe",
    "dashboard_scope",
    "protect_totals",
    "rate_cell",
    "register_figures",
    "trust_figures",
]

TRUST_VIEW_ROLES = frozenset(
    {TrustRoleKind.TRUSTEE, TrustRoleKind.TRUST_ADMIN, TrustRoleKind.TRUST_HR}
)


def dashboard_scope(
    user, school_id: int | None = None, period_months: int = 12, today: date | None = None
) -> Scope | None:
    """None when the user may not see the dashboard at all (two queries)."""
    roles = trust_roles_of(user)
    trust_view = bool(roles & TRUST_VIEW_ROLES)
    if trust_view:
        available = School.objects.filter(
            trust__roles__user=user, trust__roles__role__in=TRUST_VIEW_ROLES
        ).distinct()
    else:
        available = School.objects.filter(Q(pk__in=school_ids_with_perm(user, Perm.VIEW_DASHBOARD)))
    available_list = list(available.order_by("name"))
    if not available_list:
        return None
    full = Scope(
        schools=available_list,
        trust_view=trust_view,
        today=today or timezone.localdate(),
        available_schools=available_list,
        viewer=user,
        handles_cases=TrustRoleKind.TRUST_HR in roles,
    )
    return full.narrowed(school_id, period_months)
