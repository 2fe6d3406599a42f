"""Rollover, purge and takedown reminders (issue 6, Renewal and retention)."""

import datetime

from django.core.management import call_command

from audit.models import AuditEntry
from consents.models import (
    Carer,
    ConsentDecision,
    Publication,
    PublicationStudent,
    Student,
    Takedown,
)
from consents.retention import consent_rollover, purge_left_students, remind_open_takedowns
from notifications.models import Notification
from tests.channels.factories import make_account

from .factories import student_with_carers
from .test_consent_records import give


def test_rollover_tells_the_office_once_per_year_how_many_need_a_decision(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 7, 1, 9, 0))
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer, day=datetime.date(2026, 7, 1))
    student_with_carers(world.school_a)
    time_machine.move_to(datetime.datetime(2026, 9, 1, 6, 0))
    assert consent_rollover()[world.school_a.pk] == 2  # last year's decision no longer counts
    consent_rollover()
    call_command("consent_rollover")
    notes = Notification.objects.filter(kind="consents.rollover", recipient=world.office_a)
    assert notes.count() == 1 and notes.get().context["count"] == 2


def test_students_who_left_long_ago_are_purged_but_publications_keep_the_fact(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 9, 0))
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    pub = Publication.objects.create(
        account=account,
        school=world.school_a,
        purpose="social_media",
        medium="photo",
        post_url="https://example.org/p",
        published_on=datetime.date(2026, 10, 2),
        checked_by=world.teacher_a,
    )
    PublicationStudent.objects.create(publication=pub, student=student, naming="first_name")
    recent, _ = student_with_carers(world.school_a, left_on=datetime.date(2026, 9, 1))
    Student.objects.filter(pk=student.pk).update(left_on=datetime.date(2025, 7, 1))
    assert purge_left_students() == 1
    assert not Student.objects.filter(pk=student.pk).exists()
    assert not ConsentDecision.objects.filter(student_id=student.pk).exists()
    assert not Carer.objects.filter(pk=carer.pk).exists()
    appearance = pub.appearances.get()
    assert appearance.student is None and appearance.consent_existed
    assert Student.objects.filter(pk=recent.pk).exists()
    entry = AuditEntry.objects.get(action="consent.purged")
    assert entry.data["students"] == 1 and student.family_name not in str(entry.data)


def test_open_takedowns_are_reminded_every_two_days_until_done(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 1, 9, 0))
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    pub = Publication.objects.create(
        account=account,
        school=world.school_a,
        purpose="social_media",
        medium="photo",
        post_url="https://example.org/p",
        published_on=datetime.date(2026, 10, 1),
        checked_by=world.teacher_a,
    )
    Takedown.objects.create(publication=pub, school=world.school_a, owner=world.teacher_a)
    assert remind_open_takedowns() == 0
    time_machine.move_to(datetime.datetime(2026, 10, 3, 10, 0))
    assert remind_open_takedowns() == 1
    assert remind_open_takedowns() == 0  # once per due date
    time_machine.move_to(datetime.datetime(2026, 10, 5, 10, 0))
    assert remind_open_takedowns() == 1
    Takedown.objects.update(status="done")
    time_machine.move_to(datetime.datetime(2026, 10, 9, 10, 0))
    assert remind_open_takedowns() == 0
