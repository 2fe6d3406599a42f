"""Reads: the notifications a person may see are their own, nobody else's."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.types import Viewer

from .models import Notification, NotificationPreference


def notifications_visible_to(user: Viewer) -> QuerySet[Notification]:
    """A person's own notifications; for anyone else, nothing (a 404, not a 403)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


# The bell shows "99+" beyond this: counting stops at 100, so a person with thousands unread
# (a leader told of every retrieval) pays for a hundred rows, not for all of them (issue 21).
UNREAD_SHOWN_MAX = 99


def unread_count(user: Viewer) -> int:
    """Unread notifications, counted up to UNREAD_SHOWN_MAX + 1."""
    unread = notifications_visible_to(user).filter(read_at__isnull=True)
    return unread[: UNREAD_SHOWN_MAX + 1].count()


def preference_of(user: Viewer) -> NotificationPreference:
    """The person's preferences, unsaved defaults when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def outbox_for_development() -> QuerySet[Notification]:
    """Every outbox row, newest first, with what its email needs: the development mailbox
    (`notifications:dev_outbox`, DEBUG only). Everyone's mail: never for a production page."""
    return Notification.objects.select_related("recipient", "school").order_by("-created_at", "-id")
