"""Reads of the audit log (clause 6): who may see which entries, filters, the chain checks'
results. The check of the chain itself is in audit/chain.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import School, User
from accounts.selectors import is_trust_admin, schools_visible_to
from accounts.types import Viewer
from portal.home_cards import CardQuery, card_count, card_provider

from .models import AuditEntry, ChainCheck
from .personal import open_entries

# A person's own activity page lists entries *about* them only in these namespaces. Elsewhere
# (a breach case about them, say) the entry would name whoever reported or handled it; that
# goes through the case process, where a third party's identity is protected.
SELF_VISIBLE_TARGET_NAMESPACES = ("auth.", "account.", "role.", "user.")

USER_LABEL = User._meta.label


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


def activity_of(user: Viewer) -> QuerySet[AuditEntry]:
    """What was recorded about `user`: what they did, and what was done to their account
    (useful for a subject access request)."""
    if not getattr(user, "is_authenticated", False):
        return AuditEntry.objects.none()
    about_them = Q(target_type=USER_LABEL, target_id=str(user.pk))
    namespaces = Q()
    for prefix in SELF_VISIBLE_TARGET_NAMESPACES:
        namespaces |= Q(action__startswith=prefix)
    # A denied lookup written before issue 14 named the record and its school: what the
    # person was refused must not be described to them, so such entries stay out (those
    # written since hold only what the person sent, and show).
    described_denial = Q(action="access.denied") & (~Q(target_repr="") | Q(school_id__isnull=False))
    return AuditEntry.objects.filter(Q(actor_id=user.pk) | (about_them & namespaces)).exclude(
        described_denial
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


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    newer: int | None  # pass as ?after= to see newer entries
    older: int | None  # pass as ?before= to see older entries


def keyset_page(
    qs: QuerySet[AuditEntry], *, before: int | None, after: int | None, size: int = 50
) -> Page:
    """One page, newest first, by id: one query however long the log (no COUNT, no OFFSET)."""
    qs = qs.select_related("school")
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = open_entries(reversed(rows[:size]))
        return Page(
            entries=rows,
            newer=rows[0].id if rows and more_newer else None,
            older=rows[-1].id if rows else None,
        )
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: size + 1])
    more_older = len(rows) > size
    rows = open_entries(rows[:size])  # personal parts opened, or "disposed" (issue 19)
    return Page(
        entries=rows,
        newer=rows[0].id if rows and before is not None else None,
        older=rows[-1].id if rows and more_older else None,
    )


def iterate_in_batches(qs: QuerySet, fields: tuple[str, ...], batch: int = 2000) -> Iterator[dict]:
    """Rows of `qs` as dicts, oldest first, read in keyset batches (exports, the chain check)."""
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last).order_by("id").values("id", *fields)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


@dataclass(frozen=True)
class ChainStatus:
    """What the trust administrators see of the chain checks (audit:chain, the log's banner)."""

    anchored: bool  # AUDIT_ANCHOR_PATH is set: hourly checkpoints are written
    last_full: ChainCheck | None  # the latest check of the whole chain
    last_checkpoint: ChainCheck | None  # the latest run that wrote a checkpoint
    last_failure: ChainCheck | None  # a failed run that no later run of its kind undid


def chain_status() -> ChainStatus:
    """Three small reads of the chain-check table (newest rows, by id)."""
    last_full = ChainCheck.objects.filter(kind=ChainCheck.Kind.FULL).first()
    last_checkpoint = ChainCheck.objects.exclude(checkpoint="").first()
    last_failure = None
    latest = ChainCheck.objects.first()
    if latest is not None and not latest.ok:
        last_failure = latest
    elif last_full is not None and not last_full.ok:
        last_failure = last_full
    return ChainStatus(
        anchored=bool(getattr(settings, "AUDIT_ANCHOR_PATH", "")),
        last_full=last_full,
        last_checkpoint=last_checkpoint,
        last_failure=last_failure,
    )


def recent_chain_checks(limit: int = 30) -> list[ChainCheck]:
    return list(ChainCheck.objects.all()[:limit])


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
