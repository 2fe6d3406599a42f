"""Reads of the audit log (clause 6): a person's own activity, keyset pages, the chain checks'
results. The check of the chain itself is in audit/chain.py. Who else may read which entries
is an access rule of accounts (above this app): `activity/selectors.py` applies it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from .models import AuditEntry, ChainCheck
from .personal import open_entries

# A person's own activity page lists entries *about* them only in these namespaces. Elsewhere
# (a breach case about them, say) the entry would name whoever reported or handled it; that
# goes through the case process, where a third party's identity is protected.
SELF_VISIBLE_TARGET_NAMESPACES = ("auth.", "account.", "role.", "user.")

# The label entries about a person carry as their target type ("accounts.User").
USER_LABEL = settings.AUTH_USER_MODEL


def activity_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[AuditEntry]:
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
