"""Home-page cards: login details waiting for the person (5.19). One query, whatever the data."""

from __future__ import annotations

from django.db.models import Count, DurationField, F, Func, Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from channels.models import OfficialAccount

S = OfficialAccount.Status


def _days(expr) -> Func:
    return Func(
        expr,
        function="make_interval",
        template="make_interval(days => %(expressions)s)",
        output_field=DurationField(),
    )


def home_cards(user) -> list:
    from dashboard.selectors import HomeCard

    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    deputy_of = OfficialAccount.deputies.through.objects.filter(user=user).values(
        "officialaccount_id"
    )
    overdue = Q(due__lte=now)
    counts = (
        OfficialAccount.objects.filter(status__in=[S.APPROVED, S.ACTIVE, S.SUSPENDED])
        .annotate(due=F("credential__rotated_at") + _days(F("credential__rotation_interval_days")))
        .aggregate(
            team=Count(
                "pk",
                filter=(Q(owner=user) | Q(pk__in=deputy_of))
                & (
                    Q(credential__rotated_at__isnull=True)
                    | Q(credential__rotation_required=True)
                    | overdue
                ),
            ),
            leader=Count(
                "pk",
                filter=Q(school__in=school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL))
                & (Q(credential__rotation_required=True) | overdue),
            ),
        )
    )
    url = reverse("escrow:index")
    cards = []
    if counts["team"]:
        cards.append(
            HomeCard(
                "official accounts whose login details to give or change",
                counts["team"],
                url,
                "danger",
            )
        )
    if counts["leader"]:
        cards.append(
            HomeCard(
                "official account passwords overdue or to be changed",
                counts["leader"],
                url,
                "warning",
            )
        )
    return cards
