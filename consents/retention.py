"""Renewal and retention of consent records (issue 6): rollover at the end of the school year
and purge of students who left long enough ago. Both are commands and beat tasks."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import School
from accounts.roles import SchoolRole
from accounts.selectors import holders_of_role
from audit.services import record
from notifications.services import notify

from .models import Carer, CurrentConsent, PublicationStudent, Student, Takedown
from .selectors import current_school_year


def students_without_current_decision(school_year: int | None = None):
    year = school_year if school_year is not None else current_school_year()
    has_current = CurrentConsent.objects.filter(student=OuterRef("pk"), school_year=year)
    return Student.objects.filter(left_on__isnull=True).exclude(Exists(has_current))


def consent_rollover(school_year: int | None = None) -> dict[int, int]:
    """Start of a school year: last year's decisions no longer count (the check reads the
    current year only); tell each school's consent administrators how many students need a
    new decision, and to import the new year's MIS file (year groups and classes move on from
    it; nothing here guesses them) and then start the consent round. Safe to run repeatedly:
    one notice per school and year."""
    year = school_year if school_year is not None else current_school_year()
    counts = dict(
        students_without_current_decision(year)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    for school in School.objects.filter(pk__in=counts):
        with transaction.atomic():
            sent = notify(
                holders_of_role(school, SchoolRole.CONSENT_ADMIN),
                "consents.rollover",
                context={
                    "school_year": f"{year}/{(year + 1) % 100:02d}",
                    "count": counts[school.pk],
                },
                link=reverse("consents:import_start"),
                school=school,
                dedupe_key=f"consent-rollover:{year}:{school.pk}",
            )
            if sent:
                record(
                    None,
                    "consent.rollover",
                    school,
                    school,
                    {"school_year": year, "without_decision": counts[school.pk]},
                )
    return counts


def purge_left_students(now=None, *, days: int | None = None) -> int:
    """Students who left more than `days` (CONSENT_RETENTION_AFTER_LEAVING_DAYS) ago are
    deleted with their consent records. Publications keep the fact that consent existed, not
    the child. The retention schedule (privacy.retention) calls it with its own period."""
    today = (now or timezone.now()).date()
    if days is None:
        days = settings.CONSENT_RETENTION_AFTER_LEAVING_DAYS
    cutoff = today - timedelta(days=days)
    purged = 0
    for school_id in (
        # order_by(): the model's ordering by name would make DISTINCT one row per student.
        Student.objects.filter(left_on__lt=cutoff)
        .order_by()
        .values_list("school_id", flat=True)
        .distinct()
    ):
        with transaction.atomic():
            ids = list(
                Student.objects.filter(school_id=school_id, left_on__lt=cutoff).values_list(
                    "pk", flat=True
                )
            )
            PublicationStudent.objects.filter(student_id__in=ids).update(
                student=None, consent_existed=True
            )
            Takedown.objects.filter(student_id__in=ids).update(student=None)
            carers = list(
                Carer.objects.filter(student_links__student_id__in=ids).values_list("pk", flat=True)
            )
            Student.objects.filter(
                pk__in=ids
            ).delete()  # decisions, items, links and current state cascade
            Carer.objects.filter(pk__in=carers, student_links__isnull=True).delete()
            record(
                None,
                "consent.purged",
                None,
                school_id,
                {"students": len(ids), "left_before": cutoff.isoformat()},
            )
            purged += len(ids)
    return purged


def remind_open_takedowns(now=None) -> int:
    """Owners are reminded of open takedowns every TAKEDOWN_REMINDER_DAYS until done."""
    now = now or timezone.now()
    every = settings.CONSENT_TAKEDOWN_REMINDER_DAYS
    sent = 0
    for task in Takedown.objects.filter(
        status=Takedown.Status.OPEN, created_at__lte=now - timedelta(days=every)
    ).select_related("publication__account"):
        bucket = (now - task.created_at).days // every
        with transaction.atomic():
            sent += len(
                notify(
                    [task.owner],
                    "consents.takedown_reminder",
                    context={"account": str(task.publication.account)},
                    link=reverse("consents:takedown_list"),
                    school=task.school_id,
                    dedupe_key=f"takedown-reminder:{task.pk}:{bucket}",
                )
            )
    return sent
