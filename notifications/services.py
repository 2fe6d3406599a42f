"""Writing notifications. Call `notify` inside the transaction of the change that causes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from .kinds import KINDS
from .models import Notification


def notify(
    recipients: Iterable,
    kind: str,
    *,
    context: dict[str, Any] | None = None,
    link: str = "",
    school=None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Write one outbox row per recipient and queue delivery after commit.

    `kind` must be registered in notifications.kinds (subject, templates, confidentiality).
    With `dedupe_key`, a recipient who already has that key gets nothing new: reminders are
    sent once per due date however often the beat task runs.
    """
    if kind not in KINDS:
        raise ValueError(
            f"Unknown notification kind {kind!r}: register it in notifications/kinds.py"
        )
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=user,
                        kind=kind,
                        context=context or {},
                        link=link,
                        school_id=getattr(school, "pk", school),
                        dedupe_key=dedupe_key,
                    )
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _queue(ids))
    return created


def _queue(ids: list[int]) -> None:
    from .tasks import queue_delivery

    queue_delivery(ids)
