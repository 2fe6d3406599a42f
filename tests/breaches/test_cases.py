"""Breach reports reach the right people and are handled as confidential cases (section 7)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from breaches.models import BreachCase, CaseEntry
from breaches.selectors import case_visible_to, reports_by
from breaches.services import (
    BreachError,
    case_acknowledge,
    case_add_note,
    case_assign_owner,
    case_close,
    case_decide_outcome,
    case_investigate,
    case_record_action,
    escalate_unacknowledged,
    remind_inactive,
)
from notifications.models import Notification

from .factories import report


def visible(user, case):
    return case_visible_to(user).filter(pk=case.pk).exists()


def test_friend_request_from_student_reaches_head_and_safeguarding_lead(world):
    case = report(world, category="student_contact")
    assert visible(world.head_a, case) and visible(world.dsl_a, case)
    assert not visible(world.leader_a, case)
    assert not visible(world.head_b, case) and not visible(world.dsl_b, case)
    assert not visible(world.trust_admin, case) and not visible(world.trustee, case)
    assert visible(world.trust_hr, case)  # trust HR sees every case
    assert case.students_involved


def test_report_about_the_headteacher_reaches_trust_hr_not_the_head(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(world, subject=world.head_a)
    assert not visible(world.head_a, case)
    assert visible(world.trust_hr, case)
    assert not Notification.objects.filter(
        recipient=world.head_a, kind="breaches.reported"
    ).exists()
    assert Notification.objects.filter(recipient=world.trust_hr, kind="breaches.reported").exists()


def test_report_about_the_safeguarding_lead_goes_to_the_head_only(world):
    case = report(world, subject=world.dsl_a, students=True)
    assert visible(world.head_a, case) and not visible(world.dsl_a, case)


def test_nobody_can_open_a_report_about_themselves_even_as_owner(world):
    case = report(world, subject=world.leader_a, category="inappropriate_comment")
    assert not visible(world.leader_a, case)
    with pytest.raises(BreachError):
        case_assign_owner(actor=world.head_a, case=case, owner=world.leader_a)


def test_emails_carry_a_link_never_the_content(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(world, category="student_contact")
    sent = [m for m in mail.outbox if world.head_a.email in m.to]
    assert sent and all("naming a student" not in m.body for m in mail.outbox)
    assert str(case.pk) in sent[0].body
    assert "naming a student" not in str(AuditEntry.objects.get(action="breach.reported").data)


def test_reporter_follows_status_not_handling(world):
    case = report(world)
    assert list(reports_by(world.teacher_a)) == [case]
    assert not visible(world.teacher_a, case)


def test_subject_must_be_staff_of_the_school(world):
    with pytest.raises(BreachError, match="work at the school"):
        report(world, subject=world.teacher_b)


def test_only_staff_of_the_school_can_report(world):
    with pytest.raises(PermissionDenied):
        report(world, actor=world.teacher_b, school=world.school_a)


def test_case_is_handled_to_an_outcome_and_closed(world):
    case = report(world)
    case_acknowledge(actor=world.head_a, case=case)
    assert case.owner == world.head_a and case.acknowledged_at
    case_investigate(actor=world.head_a, case=case)
    case_add_note(actor=world.head_a, case=case, text="Spoke to the member of staff.")
    case_record_action(actor=world.head_a, case=case, action="content_removed")
    with pytest.raises(BreachError, match="summary"):
        case_decide_outcome(actor=world.head_a, case=case, outcome="informal_advice", summary=" ")
    case_decide_outcome(
        actor=world.head_a, case=case, outcome="informal_advice", summary="Advice given."
    )
    case_close(actor=world.head_a, case=case)
    case.refresh_from_db()
    assert case.status == BreachCase.Status.CLOSED and case.retention_until
    kinds = list(case.entries.values_list("kind", flat=True))
    assert kinds[0] == CaseEntry.Kind.ROUTING and CaseEntry.Kind.DECISION in kinds
    with pytest.raises(BreachError):
        case_add_note(actor=world.head_a, case=case, text="late")


def test_closing_needs_an_outcome(world):
    case = report(world)
    case_acknowledge(actor=world.head_a, case=case)
    with pytest.raises(BreachError, match="outcome"):
        case_close(actor=world.head_a, case=case)


def test_people_outside_the_routing_cannot_handle(world):
    case = report(world)
    for person in (world.leader_a, world.head_b, world.trust_admin):
        with pytest.raises(PermissionDenied):
            case_acknowledge(actor=person, case=case)


def test_unacknowledged_report_escalates_to_trust_hr_after_two_school_days(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 16, 0))  # a Friday
    case = report(world, subject=None)
    time_machine.move_to(datetime.datetime(2026, 11, 23, 16, 0))  # Monday: 1 school day
    assert escalate_unacknowledged() == 0
    time_machine.move_to(datetime.datetime(2026, 11, 24, 9, 0))  # Tuesday: 2 school days
    assert escalate_unacknowledged() == 1
    assert escalate_unacknowledged() == 0
    case.refresh_from_db()
    assert case.escalated_at
    assert (
        Notification.objects.filter(recipient=world.trust_hr, kind="breaches.escalated").count()
        == 1
    )


def test_acknowledged_report_does_not_escalate(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 16, 0))
    case = report(world)
    case_acknowledge(actor=world.head_a, case=case)
    time_machine.move_to(datetime.datetime(2026, 12, 20, 9, 0))
    assert escalate_unacknowledged() == 0


def test_inactive_case_is_reminded_once_per_due_date(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, 0))
    case = report(world)
    case_acknowledge(actor=world.head_a, case=case)
    time_machine.move_to(datetime.datetime(2026, 11, 27, 9, 0))  # 19 school days
    assert remind_inactive() == 0
    time_machine.move_to(datetime.datetime(2026, 11, 30, 9, 0))  # 20 school days
    assert remind_inactive() == 1
    assert remind_inactive() == 0


def test_a_stale_copy_of_a_case_cannot_move_it_twice(world):
    case = report(world)
    stale = BreachCase.objects.get(pk=case.pk)
    case_acknowledge(actor=world.head_a, case=case)
    with pytest.raises(BreachError, match="acknowledged"):
        case_acknowledge(actor=world.head_a, case=stale)
    assert case.entries.filter(kind=CaseEntry.Kind.STATUS).count() == 1
