"""The retention schedule (settings.DATA_RETENTION_DAYS, BREACH_RETENTION_YEARS) and the
disposal it drives (issue 19; docs/data-protection.md, "Retention schedule").

Each category names what it disposes of, its period and source, the records due now (a
queryset, counted by the report) and how they go. `dispose_due` runs every category, each in
its own transaction, destroys the audit keys of the data subjects whose records went
(crypto-shredding: their names in the audit log become "disposed", the chain still verifies),
and audits the run with counts only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import PortalSession
from accounts.sessions import end_sessions
from audit.personal import subject_keys_destroy
from audit.services import record
from breaches.models import BreachCase
from consents.models import (
    Carer,
    ConsentDecision,
    ConsentItem,
    CurrentConsent,
    ImportBatch,
    Publication,
    Student,
    StudentCarer,
    Takedown,
)
from consents.retention import purge_left_students
from escrow.models import Retrieval
from notifications.models import DigestEmail, Notification

from .models import DisposalRun, RightsRequest, SubjectAccessRequest
from .subjects import carer_ref, student_ref


@dataclass(frozen=True)
class Category:
    """One line of the schedule."""

    key: str
    title: str
    period: str  # as people read it
    source: str
    due: Callable[[date], QuerySet]
    dispose: Callable[[date], tuple[int, list[str]]]  # -> (records, audit subjects)


def days(key: str) -> int:
    return int(settings.DATA_RETENTION_DAYS[key])


def cutoff(key: str, today: date) -> date:
    return today - timedelta(days=days(key))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- what is due -----------------------------------------------------------------------------


def students_due(today: date) -> QuerySet[Student]:
    return Student.objects.filter(left_on__lt=cutoff("students_left", today))


def carers_due(today: date) -> QuerySet[Carer]:
    """Carers linked to no student and with no decision (a carer with decisions goes with
    their students' records)."""
    linked = StudentCarer.objects.filter(carer=OuterRef("pk"))
    decided = ConsentDecision.objects.filter(carer=OuterRef("pk"))
    return Carer.objects.exclude(Exists(linked)).exclude(Exists(decided))


def _school_year_of(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def consent_events_due(today: date) -> QuerySet[ConsentDecision]:
    # A school year ends on 31 August; its decisions go `consent_events` days after that.
    last_over = _school_year_of(cutoff("consent_events", today)) - 1
    return ConsentDecision.objects.filter(school_year__lte=last_over)


def publications_due(today: date) -> QuerySet[Publication]:
    return Publication.objects.filter(published_on__lt=cutoff("publications", today))


def cases_due(today: date) -> QuerySet[BreachCase]:
    return BreachCase.objects.filter(
        status=BreachCase.Status.CLOSED, retention_until__isnull=False, retention_until__lt=today
    )


def retrievals_due(today: date) -> QuerySet[Retrieval]:
    return Retrieval.objects.filter(at__lt=_start_of(cutoff("retrievals", today)))


def notifications_due(today: date) -> QuerySet[Notification]:
    done = ~Q(email_status=Notification.EmailStatus.PENDING) | Q(read_at__isnull=False)
    return Notification.objects.filter(
        done, created_at__lt=_start_of(cutoff("notifications", today))
    )


def sessions_due(today: date) -> QuerySet[PortalSession]:
    return PortalSession.objects.filter(
        expire_date__lt=timezone.now() - timedelta(days=days("sessions"))
    )


def import_batches_due(today: date) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(
        created_at__lt=_start_of(cutoff("import_batches", today))
    ).exclude(status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING])


def requests_due(today: date) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(
        closed_at__lt=_start_of(cutoff("subject_requests", today))
    )


# --- how they go -----------------------------------------------------------------------------


def _dispose_students(today: date) -> tuple[int, list[str]]:
    """Students who left, with their decisions, links and current consent, and carers left
    with no student (consents.retention.purge_left_students, which keeps on publications only
    that consent existed)."""
    ids = list(students_due(today).values_list("pk", flat=True))
    if not ids:
        return 0, []
    carers = set(StudentCarer.objects.filter(student_id__in=ids).values_list("carer_id", flat=True))
    still_linked = set(
        StudentCarer.objects.filter(carer_id__in=carers)
        .exclude(student_id__in=ids)
        .values_list("carer_id", flat=True)
    )
    _delete_consent_rows(ids)
    purged = purge_left_students(_start_of(today), days=days("students_left"))
    gone_carers = carers - still_linked
    return purged, [student_ref(i) for i in ids] + [carer_ref(i) for i in gone_carers]


def _delete_consent_rows(student_ids: list[int]) -> None:
    """The bulk of a leaver's records, set-based: Django's cascade would load every decision
    and item into memory (15,000 leavers hold 1.5 million items). What remains (the students,
    and any relation added later) goes through the ORM's cascade in purge_left_students."""
    item, decision = ConsentItem._meta.db_table, ConsentDecision._meta.db_table
    takedown = Takedown._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {takedown} SET decision_id = NULL WHERE decision_id IN "
            f"(SELECT id FROM {decision} WHERE student_id = ANY(%s))",
            [student_ids],
        )
        cur.execute(
            f"DELETE FROM {item} WHERE decision_id IN "
            f"(SELECT id FROM {decision} WHERE student_id = ANY(%s))",
            [student_ids],
        )
        for model in (ConsentDecision, CurrentConsent):
            cur.execute(
                f"DELETE FROM {model._meta.db_table} WHERE student_id = ANY(%s)", [student_ids]
            )


def _dispose_carers(today: date) -> tuple[int, list[str]]:
    ids = list(carers_due(today).values_list("pk", flat=True))
    Carer.objects.filter(pk__in=ids).delete()
    return len(ids), [carer_ref(i) for i in ids]


def _dispose_consent_events(today: date) -> tuple[int, list[str]]:
    qs = consent_events_due(today)
    last_over = _school_year_of(cutoff("consent_events", today)) - 1
    n = qs.count()
    qs.delete()  # items cascade; takedowns keep the post, not the decision
    CurrentConsent.objects.filter(school_year__lte=last_over).delete()
    return n, []


def _dispose_publications(today: date) -> tuple[int, list[str]]:
    qs = publications_due(today)
    n = qs.count()
    qs.delete()  # appearances and takedowns cascade
    return n, []


def _dispose_cases(today: date) -> tuple[int, list[str]]:
    """Closed cases past the retention of their outcome, with their evidence files (the
    chronology's trigger lets a case's own entries go with it)."""
    n = 0
    for case in cases_due(today).prefetch_related("evidence"):
        files = [e.file for e in case.evidence.all()]
        case.delete()
        transaction.on_commit(lambda files=files: [f.delete(save=False) for f in files])
        n += 1
    return n, []


def _dispose_retrievals(today: date) -> tuple[int, list[str]]:
    """Retrievals are append-only (escrow migration 0002); the schedule's disposal is the one
    deletion let through, in this transaction only (privacy migration 0002)."""
    qs = retrievals_due(today)
    n = qs.count()
    if n:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL privacy.disposal = 'on'")
        qs.delete()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL privacy.disposal = 'off'")
    return n, []


def _dispose_notifications(today: date) -> tuple[int, list[str]]:
    n, _ = notifications_due(today).delete()
    DigestEmail.objects.filter(sent_at__lt=_start_of(cutoff("notifications", today))).delete()
    return n, []


def _dispose_sessions(today: date) -> tuple[int, list[str]]:
    n = end_sessions(sessions_due(today))
    return n, []


def _dispose_import_batches(today: date) -> tuple[int, list[str]]:
    n, _ = import_batches_due(today).delete()
    return n, []


def _dispose_requests(today: date) -> tuple[int, list[str]]:
    qs = requests_due(today)
    n = qs.count()
    qs.delete()
    RightsRequest.objects.filter(
        decided_at__lt=_start_of(cutoff("subject_requests", today))
    ).exclude(outcome=RightsRequest.Outcome.OPEN).delete()
    return n, []


SOURCE_IRMS = "IRMS Information Management Toolkit for Schools (the trust's schedule)"


def schedule() -> list[Category]:
    """The schedule as the report and the disposal read it, in the order they run."""
    d = settings.DATA_RETENTION_DAYS
    return [
        Category(
            "students_left",
            "Students who left, with their consent records",
            f"{d['students_left']} days after leaving",
            SOURCE_IRMS + ": consent for the use of images",
            students_due,
            _dispose_students,
        ),
        Category(
            "carers_unlinked",
            "Parents and carers linked to no student",
            "with their last student; unlinked ones at the next run",
            SOURCE_IRMS + ": as the pupil record they belong to",
            carers_due,
            _dispose_carers,
        ),
        Category(
            "consent_events",
            "Consent decisions of past school years",
            f"{d['consent_events']} days after the school year ends",
            SOURCE_IRMS + ": consent forms, superseded",
            consent_events_due,
            _dispose_consent_events,
        ),
        Category(
            "publications",
            "Posts checked for consent",
            f"{d['publications']} days after publication",
            SOURCE_IRMS + ": school publications",
            publications_due,
            _dispose_publications,
        ),
        Category(
            "breach_cases",
            "Breach cases, by outcome",
            "BREACH_RETENTION_YEARS after closing (1 to 10 years by outcome)",
            "KCSIE (allegations about staff); ACAS/IRMS: disciplinary records",
            cases_due,
            _dispose_cases,
        ),
        Category(
            "retrievals",
            "Retrievals of escrowed login details",
            f"{d['retrievals']} days after the retrieval",
            SOURCE_IRMS + ": audit trails of access to systems",
            retrievals_due,
            _dispose_retrievals,
        ),
        Category(
            "notifications",
            "Notifications and outbox emails (read or sent)",
            f"{d['notifications']} days after they were written",
            "Operational records: no longer needed once read or sent",
            notifications_due,
            _dispose_notifications,
        ),
        Category(
            "sessions",
            "Signed-in sessions",
            f"{d['sessions']} days after they expire",
            "Operational records (security): nothing after expiry",
            sessions_due,
            _dispose_sessions,
        ),
        Category(
            "import_batches",
            "Uploaded MIS files and their check results",
            f"{d['import_batches']} days after upload",
            "Transient copy of the MIS, which is the record of the pupil",
            import_batches_due,
            _dispose_import_batches,
        ),
        Category(
            "subject_requests",
            "Subject access and rights requests",
            f"{d['subject_requests']} days after they were closed",
            "ICO guidance on keeping records of requests",
            requests_due,
            _dispose_requests,
        ),
    ]


def due_counts(today: date | None = None) -> dict[str, int]:
    """How many records of each category are due now: one COUNT per category."""
    today = today or timezone.localdate()
    return {c.key: c.due(today).count() for c in schedule()}


def dispose_due(today: date | None = None) -> DisposalRun:
    """Dispose of everything the schedule says is due (beat task privacy.tasks.dispose;
    safe to run twice: a second run finds nothing). Each category in one transaction with its
    audit keys and its audit entry, which holds counts and dates, never personal data."""
    today = today or timezone.localdate()
    started = timezone.now()
    counts: dict[str, int] = {}
    shredded = 0
    for category in schedule():
        with transaction.atomic():
            n, subjects = category.dispose(today)
            keys = subject_keys_destroy(subjects)
            shredded += keys
            counts[category.key] = n
            if n or keys:
                record(
                    None,
                    "privacy.disposed",
                    data={
                        "category": category.key,
                        "records": n,
                        "audit_keys_destroyed": keys,
                        "period_days": settings.DATA_RETENTION_DAYS.get(category.key),
                        "as_of": today.isoformat(),
                    },
                )
    return DisposalRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        counts=counts,
        audit_keys_destroyed=shredded,
    )


def recent_runs(limit: int = 10) -> list[DisposalRun]:
    return list(DisposalRun.objects.all()[:limit])
