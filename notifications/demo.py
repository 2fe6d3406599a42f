"""Demo notifications: a bell with something in it for the Northfield teacher and leader."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import SchoolRole

from .services import notify, preference_update


def load(ctx) -> None:
    teacher = ctx.people["northfield.teacher"]
    leader = ctx.people["northfield.leader"]
    school = ctx.schools["northfield"]
    with transaction.atomic():
        # dedupe_key makes every run after the first a no-op. Each person is told the role
        # they really hold at the school, in the words accounts.services uses.
        for person in (teacher, leader):
            role = Membership.objects.filter(user=person, school=school).values_list(
                "role", flat=True
            )[0]
            notify(
                [person],
                "accounts.role_changed",
                context={"change": "assigned", "role_label": SchoolRole(role).label},
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
