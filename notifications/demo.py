"""Demo notifications: a bell with something in it for the Northfield teacher and leader."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from .services import notify, preference_update


def load(ctx) -> None:
    teacher = ctx.people["northfield.teacher"]
    leader = ctx.people["northfield.leader"]
    school = ctx.schools["northfield"]
    with transaction.atomic():
        # dedupe_key makes every run after the first a no-op.
        notify(
            [teacher, leader],
            "accounts.role_changed",
            context={"change": "granted", "role_label": "demo role"},
            link=reverse("dashboard:home"),
            school=school,
            dedupe_key="demo:welcome",
        )
        notify(
            [leader],
            "accounts.leaver",
            context={"name": "A demo leaver"},
            link=reverse("notifications:list"),
            school=school,
            dedupe_key="demo:leaver",
        )
    preference_update(leader, weekly_digest=True)
    ctx.hints.append(
        "Notifications: the bell (top right) counts unread ones; the Northfield leader has "
        "chosen the weekly digest at /notifications/preferences/."
    )
