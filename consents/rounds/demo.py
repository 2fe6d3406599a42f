"""Demo of the consent round (issue 17): dates of birth for every demo student, and a round in
progress at Riverside: emails sent, one carer without email, one answer given online, one
bounced email, one reminder. Safe to run twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

from ..models import Carer, ConsentRound, ConsentWording, RoundInvite, Student, StudentCarer
from ..selectors import current_school_year
from ..services import ALL_ITEMS
from . import services
from .selectors import children_of

ROUND_SCHOOL = "riverside"


def demo_date_of_birth(year_group: str, n: int) -> datetime.date:
    """A birthday that fits the year group: born in the school year that makes them that age."""
    group = int(year_group) if year_group.isdigit() else 0
    return datetime.date(current_school_year() - 4 - group, 1 + n % 8, 1 + n % 28)


def load(ctx) -> None:
    for n, student in enumerate(Student.objects.filter(date_of_birth__isnull=True).order_by("pk")):
        Student.objects.filter(pk=student.pk).update(
            date_of_birth=demo_date_of_birth(student.year_group, n)
        )
    school = ctx.schools[ROUND_SCHOOL]
    if ConsentRound.objects.filter(school=school).exists():
        return
    office = ctx.people[f"{ROUND_SCHOOL}.office"]
    first = Student.objects.filter(school=school).order_by("pk").first()
    if first is None:
        return
    if not Carer.objects.filter(school=school, email="").exists():
        gran = Carer.objects.create(school=school, name=f"Grandparent of {first.given_name}")
        StudentCarer.objects.create(student=first, carer=gran, relationship="Grandparent")
    today = timezone.localdate()
    ends_on = min(
        today + datetime.timedelta(days=21), datetime.date(current_school_year() + 1, 8, 31)
    )
    if ends_on <= today:
        return  # the last day of a school year: no round to show
    wording = ConsentWording.objects.filter(school=None).order_by("-effective_from").first()
    with transaction.atomic():
        rnd = services.round_start(actor=office, school=school, ends_on=ends_on, wording=wording)
        invites = list(
            RoundInvite.objects.filter(round=rnd).exclude(carer__email="").order_by("pk")
        )
        # A bounce: what the relay refusing this address six times leaves behind. (Delivery
        # runs after this transaction commits; where it already ran, there is no bounce.)
        Notification.objects.filter(
            pk=invites[-2].email_id, email_status=Notification.EmailStatus.PENDING
        ).update(
            email_status=Notification.EmailStatus.FAILED,
            email_attempts=6,
            email_last_error="SMTPRecipientsRefused",
        )
    # A carer answered on their phone (everything yes, initials only).
    answered = invites[-1]
    children = children_of(answered)
    services.carer_answer(
        invite=answered,
        answers={c.pk: (dict.fromkeys(ALL_ITEMS, True), "initials") for c in children},
        children=children,
    )
    ctx.hints.append(
        "Consent round: Riverside's round is under way (office@riverside... sees it at "
        "/consents/round/); carers' emails are in the outbox page, each with a personal link; "
        "the date of birth asked for is the child's (Student.date_of_birth)."
    )
