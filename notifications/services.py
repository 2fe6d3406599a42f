"""Writing notifications. Call `notify` inside the transaction of the change that causes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.types import Viewer

from .kinds import KINDS
from .models import Notification, NotificationPreference


def notify(
    recipients: Iterable,
    kind: str,
    *,
    context: dict[str, Any] | None = None,
    link: str = "",
    school=None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Write one outbox row per recipient and queue delivery after commit (clause 7.3 and
    every reminder the policy implies).

    `kind` must be registered in notifications.kinds (subject, templates, confidentiality).
    With `dedupe_key`, a recipient who already has that key gets nothing new: reminders are
    sent once per due date however often the beat task runs. Digestible kinds for people who
    chose the weekly digest are held for it instead of emailed at once.
    """
    if kind not in KINDS:
        raise ValueError(
            f"Unknown notification kind {kind!r}: register it in notifications/kinds.py"
        )
    people = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        people.append(user)
    if not people:
        return []
    digest_ids: set[int] = set()
    if KINDS[kind].digestible:
        digest_ids = set(
            NotificationPreference.objects.filter(user_id__in=seen, weekly_digest=True).values_list(
                "user_id", flat=True
            )
        )
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            context=context or {},
            link=link,
            school_id=getattr(school, "pk", school),
            dedupe_key=dedupe_key,
            digest=user.pk in digest_ids,
        )
        for user in people
    ]
    if dedupe_key is None:
        # Nothing to skip: one INSERT for everyone (the ids come back for the queue).
        created = Notification.objects.bulk_create(rows)
    else:
        # A recipient who already has the key is skipped, the others still get theirs.
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
    ids = [n.pk for n in created if not n.digest]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return created


def notify_addresses(
    kind: str,
    addressees: Iterable[tuple[str, str, str]],
    *,
    context: dict[str, Any] | None = None,
    school=None,
) -> list[Notification]:
    """One outbox row per (email, name, link) for people without an account (parents and
    carers of the consent round, 4.5e), in the caller's transaction, delivered after commit
    like every other row: retries, backoff and the failed state are the outbox's own.

    One INSERT for all of them, one queueing after commit. The rows never reach a portal
    inbox (they have no recipient) and are not digested.
    """
    if kind not in KINDS:
        raise ValueError(
            f"Unknown notification kind {kind!r}: register it in notifications/kinds.py"
        )
    school_id = getattr(school, "pk", school)
    rows = [
        Notification(
            to_email=email,
            to_name=name[:200],
            kind=kind,
            context=context or {},
            link=link,
            school_id=school_id,
        )
        for email, name, link in addressees
        if email
    ]
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _queue_batches(ids))
    return created


def _queue_batches(ids: list[int]) -> None:
    from .tasks import queue_batches

    queue_batches(ids)


def _queue(ids: list[int]) -> None:
    from .tasks import queue_delivery

    queue_delivery(ids)


def notification_mark_read(user: Viewer, notification: Notification) -> bool:
    """Mark one of the user's own notifications read. Returns whether it changed.

    Not audited: reading one's own messages is not an act the policy monitors (clause 6
    concerns the records, not the inbox), and an entry per click would drown the log.
    """
    if notification.recipient_id != user.pk:
        raise PermissionError("Only the recipient can mark a notification read.")
    if notification.read_at is not None:
        return False
    notification.read_at = timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=notification.read_at
    )
    return True


def notifications_mark_all_read(user: Viewer) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_update(user: Viewer, *, weekly_digest: bool) -> NotificationPreference:
    """Choose the weekly digest of reminders or one email each (issue: notifications).

    Turning the digest off releases the reminders held so far: they are emailed now rather
    than waiting for a digest the person no longer wants.
    """
    from audit.services import record

    with transaction.atomic():
        pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if pref.weekly_digest == weekly_digest:
            return pref
        pref.weekly_digest = weekly_digest
        pref.save(update_fields=["weekly_digest", "updated_at"])
        released: list[int] = []
        if not weekly_digest:
            held = Notification.objects.filter(
                recipient=user, digest=True, email_status=Notification.EmailStatus.PENDING
            )
            released = list(held.values_list("pk", flat=True))
            held.update(digest=False)
        record(
            user,
            "notifications.preferences_changed",
            pref,
            data={"weekly_digest": weekly_digest, "released": len(released)},
        )
        if released:
            transaction.on_commit(lambda: _queue(released))
    return pref


def notifications_requeue(actor: User, ids: list[int]) -> int:
    """Give failed emails another round of attempts (support, after fixing the relay or a
    template). Only failed rows change; the audit entry records who asked and how many."""
    from audit.services import record

    with transaction.atomic():
        failed = Notification.objects.filter(
            pk__in=ids, email_status=Notification.EmailStatus.FAILED, digest=False
        )
        requeued = list(failed.values_list("pk", flat=True))
        failed.update(
            email_status=Notification.EmailStatus.PENDING,
            email_attempts=0,
            email_next_attempt_at=None,
        )
        if requeued:
            record(actor, "notifications.requeued", data={"count": len(requeued)})
            transaction.on_commit(lambda: _queue(requeued))
    return len(requeued)
