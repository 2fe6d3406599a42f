"""Who may read which audit entries (clause 6), the audit view's search filters and the trust
administrators' home cards. They apply accounts' access rules, which is why they live here
and not in `audit` (below accounts). The person's own activity (`audit.selectors.activity_of`),
keyset pages and the chain checks' results stay in audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import School
from accounts.selectors import is_trust_admin, schools_visible_to
from accounts.types import Viewer
from audit.models import AuditEntry
from portal.home_cards import CardQuery, card_count, card_provider

CONFIDENTIAL_PREFIXES = "breach."
CONFIDENTIAL_TARGETS = ("breaches.BreachCase", "breaches.Declaration")


def entries_visible_to(user: Viewer) -> QuerySet[AuditEntry]:
    """Trust administrators: entries of their trust's schools and entries tied to no school
    (sign-ins, trust roles). Anyone else: none (their own page uses `activity_of`)."""
    if not is_trust_admin(user):
        return AuditEntry.objects.none()
    return (
        AuditEntry.objects.filter(
            Q(school_id__isnull=True) | Q(school_id__in=schools_visible_to(user).values("pk"))
        )
        # Breach cases are confidential to the people they were routed to (section 7): the
        # entries name the reporter and the category, so they stay out of the admins' log.
        .exclude(action__startswith=CONFIDENTIAL_PREFIXES)
        .exclude(target_type__in=CONFIDENTIAL_TARGETS)
    )


@dataclass(frozen=True)
class AuditFilters:
    """What the audit view's search form asks for; every field optional."""

    action: str = ""
    actor: str = ""
    target: str = ""
    school: School | None = None
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_entries(qs: QuerySet[AuditEntry], f: AuditFilters) -> QuerySet[AuditEntry]:
    """Apply the search form to a visible queryset. `action` is a prefix ("credential." or
    "credential.revealed"); `actor` and `target` match names, email addresses or ids."""
    if f.action:
        qs = qs.filter(action__startswith=f.action.strip().lower())
    if f.actor:
        text = f.actor.strip()
        qs = qs.filter(Q(actor_email__icontains=text) | Q(actor_name__icontains=text))
    if f.target:
        text = f.target.strip()
        qs = qs.filter(
            Q(target_repr__icontains=text) | Q(target_id=text) | Q(target_type__iexact=text)
        )
    if f.school is not None:
        qs = qs.filter(school_id=f.school.pk)
    if f.date_from:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(created_at__lt=_day_start(f.date_to + timedelta(days=1)))
    return qs


# Monitoring (clause 6): what a trust administrator should look at from the home page.
WATCHED_ACTIONS = (
    ("access.denied", "Records asked for that were missing or another school's (7 days)"),
    ("auth.locked_out", "Sign-in lockouts (7 days)"),
)


@card_provider
def home_cards(user: Viewer) -> list[CardQuery]:
    """Cards for trust administrators when something was denied or locked out this week
    (counted with the other cards in one query)."""
    if not is_trust_admin(user):
        return []
    since = timezone.localdate() - timedelta(days=6)
    url = reverse("audit:list")
    return [
        card_count(
            title,
            entries_visible_to(user).filter(action=action, created_at__gte=_day_start(since)),
            f"{url}?{urlencode({'action': action, 'date_from': since.isoformat()})}",
            "warning",
        )
        for action, title in WATCHED_ACTIONS
    ]
