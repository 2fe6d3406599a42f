"""Shared set-up of the consent round tests: a school with children, carers and a round."""

from __future__ import annotations

import datetime
import re

from consents.models import StudentCarer
from consents.rounds import services
from notifications.models import Notification

from .factories import CarerFactory, StudentFactory, WordingFactory

TODAY = datetime.datetime(2026, 10, 2, 10, 0)
ENDS = datetime.date(2026, 10, 30)
DOB = datetime.date(2015, 3, 27)


def family(school, *, form="7A", email=True, dob=DOB, n_carers=1, given_name="Maya"):
    student = StudentFactory(school=school, form=form, date_of_birth=dob, given_name=given_name)
    carers = []
    for _ in range(n_carers):
        carer = CarerFactory(school=school, **({} if email else {"email": ""}))
        StudentCarer.objects.create(student=student, carer=carer, relationship="Parent")
        carers.append(carer)
    return student, carers


def ends_soon() -> datetime.date:
    """Two weeks from the real today, within its school year (tests without a fixed clock)."""
    from django.utils import timezone

    from consents.selectors import current_school_year

    today = timezone.localdate()
    return min(today + datetime.timedelta(days=14), datetime.date(current_school_year() + 1, 8, 31))


def start(world, school=None, ends_on=ENDS):
    return services.round_start(
        actor=world.office_a,
        school=school or world.school_a,
        ends_on=ends_on,
        wording=WordingFactory(),
    )


def link_of(notification: Notification) -> str:
    """The path of the personal link in an outbox row."""
    assert re.match(r"^/consent/r/[^/]+/$", notification.link), notification.link
    return notification.link


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]
