"""Retention reaches every copy (issue 19): after a student's retention ends, no table, audit
entry, email or file holds their name, and the audit chain still verifies."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.test import override_settings

from audit.chain import verify_chain
from audit.models import AuditEntry, AuditSubjectKey
from audit.personal import DISPOSED, open_entries
from consents.models import ImportBatch, Student
from consents.services import carer_add
from notifications.emails import build_message
from notifications.models import Notification
from privacy.models import DisposalRun
from privacy.retention import dispose_due, due_counts
from privacy.subjects import student_ref
from tests.consents.factories import student_with_carers
from tests.consents.test_consent_records import give

from .helpers import files_holding, tables_holding

GIVEN, FAMILY, CARER = "Zebedee", "Quillfeather-Marsh", "Ottoline Vanderpump"


def test_after_retention_no_copy_of_a_student_is_left_and_the_chain_verifies(
    world, time_machine, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    time_machine.move_to(datetime.datetime(2024, 3, 1, 9, 0))
    student, (carer,) = student_with_carers(world.school_a, given_name=GIVEN, family_name=FAMILY)
    give(world, student, carer, day=datetime.date(2024, 3, 1))
    second = carer_add(actor=world.office_a, student=student, name=CARER, relationship="Aunt")
    give(world, student, second, day=datetime.date(2024, 3, 1))
    batch = ImportBatch.objects.create(
        school=world.school_a,
        uploaded_by=world.office_a,
        file_name="sims.csv",
        content=f"UPN,Forename,Surname\nX1,{GIVEN},{FAMILY}\n".encode(),
        status=ImportBatch.Status.DONE,
    )
    (tmp_path / "export.txt").write_text("nothing personal")
    Student.objects.filter(pk=student.pk).update(left_on=datetime.date(2024, 7, 20))

    # Before disposal the name is in the tables, and the audit log opens it for the log's
    # readers, yet holds it only encrypted.
    assert tables_holding(FAMILY)
    assert "audit_auditentry.target_repr" not in tables_holding(FAMILY)
    entries = open_entries(AuditEntry.objects.filter(subject=student_ref(student.pk)))
    assert entries and any(FAMILY in e.shown_repr for e in entries)

    time_machine.move_to(datetime.datetime(2025, 9, 1, 2, 30))
    assert due_counts()["students_left"] == 1
    run = dispose_due()

    assert run.counts["students_left"] == 1 and run.counts["import_batches"] == 1
    assert run.audit_keys_destroyed == 2  # the student and the carer the office added
    for name in (GIVEN, FAMILY, CARER, carer.name, carer.email):
        assert tables_holding(name) == {}, name
        assert files_holding(name) == []
    for n in Notification.objects.all():
        message = build_message(n)
        assert FAMILY not in message.body and FAMILY not in message.subject
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    entries = open_entries(AuditEntry.objects.filter(subject=student_ref(student.pk)))
    assert entries and {e.shown_repr for e in entries} == {DISPOSED}
    assert not AuditSubjectKey.objects.filter(subject=student_ref(student.pk)).exists()
    report = verify_chain()
    assert report.ok, report.problem
    # The run is audited with counts only.
    done = AuditEntry.objects.filter(action="privacy.disposed")
    assert done.filter(data__category="students_left", data__records=1).exists()
    assert not done.exclude(subject="").exists()


def test_a_second_run_disposes_of_nothing(world, time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 1, 9, 0))
    student, (carer,) = student_with_carers(world.school_a, left_on=datetime.date(2022, 7, 1))
    first = dispose_due()
    second = dispose_due()
    assert first.counts["students_left"] == 1
    assert not any(second.counts.values())
    assert DisposalRun.objects.count() == 2


def test_a_student_still_within_retention_is_kept(world, time_machine):
    time_machine.move_to(datetime.datetime(2025, 9, 1, 9, 0))
    student, _ = student_with_carers(world.school_a, left_on=datetime.date(2025, 7, 20))
    dispose_due()
    assert Student.objects.filter(pk=student.pk).exists()


@override_settings(
    DATA_RETENTION_DAYS={
        "students_left": 10,
        "carers_unlinked": 1,
        "consent_events": 730,
        "publications": 2190,
        "retrievals": 2190,
        "notifications": 365,
        "sessions": 0,
        "import_batches": 30,
        "subject_requests": 365,
    }
)
def test_the_schedule_in_settings_drives_the_period(world, time_machine):
    time_machine.move_to(datetime.datetime(2025, 9, 1, 9, 0))
    student, _ = student_with_carers(world.school_a, left_on=datetime.date(2025, 8, 1))
    dispose_due()
    assert not Student.objects.filter(pk=student.pk).exists()


def test_old_notifications_and_expired_sessions_go(world, time_machine, client_for):
    time_machine.move_to(datetime.datetime(2024, 1, 1, 9, 0))
    client_for("teacher_a").get("/")
    from notifications.services import notify

    notify([world.teacher_a], "accounts.role_changed", context={})
    Notification.objects.update(email_status=Notification.EmailStatus.SENT)
    time_machine.move_to(datetime.datetime(2025, 3, 1, 9, 0))
    run = dispose_due()
    assert run.counts["notifications"] >= 1 and run.counts["sessions"] >= 1
    assert not Notification.objects.filter(recipient=world.teacher_a).exists()


def test_breach_evidence_files_go_with_the_case(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    from breaches.models import BreachCase, Evidence
    from tests.breaches.factories import report

    settings.MEDIA_ROOT = str(tmp_path)
    case = report(world)
    ev = Evidence(
        case=case,
        extension="png",
        content_type="image/png",
        size=3,
        sha256="x",
        uploaded_by=world.teacher_a,
    )
    ev.file.save("e.png", ContentFile(b"PNG Quillfeather"), save=True)
    BreachCase.objects.filter(pk=case.pk).update(
        status="closed", outcome="no_further_action", retention_until=datetime.date(2020, 1, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispose_due()
    assert not BreachCase.objects.filter(pk=case.pk).exists()
    assert files_holding("Quillfeather") == []


def test_retrievals_go_after_their_period_and_stay_append_only_otherwise(world, time_machine):
    import pytest
    from django.db import DatabaseError, transaction

    from escrow.models import Retrieval
    from escrow.services import credential_retrieve
    from tests.escrow.factories import escrowed_account

    time_machine.move_to(datetime.datetime(2019, 1, 10, 9, 0))
    account = escrowed_account(world)
    credential_retrieve(actor=world.leader_a, account=account, reason="Owner on leave")
    old = Retrieval.objects.get(credential__account=account)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Retrieval.objects.filter(pk=old.pk).delete()
    time_machine.move_to(datetime.datetime(2025, 3, 1, 9, 0))
    run = dispose_due()
    assert run.counts["retrievals"] == 1 and not Retrieval.objects.filter(pk=old.pk).exists()
    # The exception ended with the disposal's transaction.
    credential_retrieve(actor=world.leader_a, account=account, reason="Again")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Retrieval.objects.all().delete()
