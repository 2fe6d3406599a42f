"""Subject access (issue 19): bundles hold the person's data and redact third parties."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from audit.models import AuditEntry
from consents.models import Naming
from privacy.models import RightsRequest, SubjectAccessRequest, SubjectKind
from privacy.selectors import find_person
from privacy.services import (
    one_month_after,
    remind_deadlines,
    rights_request_create,
    rights_request_decide,
    sar_create,
    sar_produce,
)
from tests.breaches.factories import report
from tests.consents.factories import student_with_carers
from tests.consents.test_consent_records import give

from .helpers import make_dpo


def unzip(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return "\n".join(zf.read(name).decode() for name in zf.namelist())


def produce(dpo, person) -> str:
    sar = sar_create(actor=dpo, person=person, received_on=datetime.date.today())
    return unzip(sar_produce(actor=dpo, sar=sar))


def test_case_subject_bundle_omits_the_reporter(world):
    dpo = make_dpo(world)
    case = report(world, actor=world.leader_a, subject=world.teacher_a)
    person = find_person(SubjectKind.STAFF, world.teacher_a.email)
    text = produce(dpo, person)
    assert "Breach cases about you" in text and case.get_category_display() in text
    assert world.leader_a.get_full_name() not in text
    assert world.leader_a.email not in text
    assert case.description not in text
    # ... and the reporter's own bundle shows the report they made.
    mine = produce(dpo, find_person(SubjectKind.STAFF, world.leader_a.email))
    assert "Breach reports you made" in mine and case.get_category_display() in mine


def test_carer_bundle_omits_the_other_carers_choices(world):
    dpo = make_dpo(world)
    student, (mother, father) = student_with_carers(world.school_a, n_carers=2)
    give(world, student, mother, naming=Naming.INITIALS)
    give(world, student, father, naming=Naming.FULL_NAME)
    person = find_person(SubjectKind.CARER, mother.email, world.school_a)
    text = produce(dpo, person)
    assert mother.name in text and str(student) in text
    assert "Initials only" in text or Naming.INITIALS.label in text
    assert father.name not in text and father.email not in text
    assert Naming.FULL_NAME.label not in text


def test_student_bundle_holds_their_record_and_audit_entries_without_carer_names(world):
    dpo = make_dpo(world)
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    text = produce(dpo, find_person(SubjectKind.STUDENT, student.mis_id, world.school_a))
    assert student.family_name in text and "consent.recorded" in text
    assert carer.name not in text and world.office_a.get_full_name() not in text


def test_producing_a_bundle_is_audited_without_the_name(world):
    dpo = make_dpo(world)
    student, _ = student_with_carers(world.school_a)
    produce(dpo, find_person(SubjectKind.STUDENT, student.mis_id, world.school_a))
    entry = AuditEntry.objects.get(action="privacy.sar_produced")
    assert entry.actor_id == dpo.pk
    assert student.family_name not in str(entry.data) + entry.target_repr


def test_deadline_is_one_calendar_month_from_the_request_date():
    assert one_month_after(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert one_month_after(datetime.date(2026, 12, 3)) == datetime.date(2027, 1, 3)


def test_dpo_is_reminded_of_a_request_due_soon_once_a_day(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 9, 0))
    dpo = make_dpo(world)
    person = find_person(SubjectKind.STAFF, world.teacher_a.email)
    sar_create(actor=dpo, person=person, received_on=datetime.date(2026, 2, 3))  # due 3 March
    sar_create(actor=dpo, person=person, received_on=datetime.date(2026, 2, 25))  # 25 March
    assert remind_deadlines() == 1
    assert remind_deadlines() == 0  # once a day
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0))
    assert remind_deadlines() == 1


def test_refused_erasure_is_shown_in_the_bundle_with_its_reason(world):
    dpo = make_dpo(world)
    person = find_person(SubjectKind.STAFF, world.teacher_a.email)
    req = rights_request_create(
        actor=dpo,
        person=person,
        kind=RightsRequest.Kind.ERASURE,
        received_on=datetime.date.today(),
        details="Delete the case about me",
    )
    rights_request_decide(
        actor=dpo, req=req, outcome=RightsRequest.Outcome.REFUSED, reason="Kept under KCSIE"
    )
    text = produce(dpo, person)
    assert "Kept under KCSIE" in text and "the law lets the trust keep the data" in text


def test_only_the_dpo_produces_bundles(world):
    from django.core.exceptions import PermissionDenied

    person = find_person(SubjectKind.STAFF, world.teacher_a.email)
    with pytest.raises(PermissionDenied):
        sar_create(actor=world.trust_admin, person=person, received_on=datetime.date.today())
    assert not SubjectAccessRequest.objects.exists()
