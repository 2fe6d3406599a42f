"""Consent decisions as events, the derived current state and the check (4.5e, 4.5f)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from consents.models import ConsentDecision, CurrentConsent, Medium, Naming, Purpose
from consents.selectors import consent_verdicts, school_year_of, students_visible_to
from consents.services import ALL_ITEMS, ConsentError, consent_record, consent_withdraw

from .factories import WordingFactory, student_with_carers

DAY = datetime.date(2026, 10, 1)  # school year 2026/27


def allow_all(overrides=None):
    answers = dict.fromkeys(ALL_ITEMS, True)
    answers.update(overrides or {})
    return answers


def give(world, student, carer, *, naming=Naming.FIRST_NAME, allowed=None, day=DAY):
    return consent_record(
        actor=world.office_a,
        student=student,
        carer=carer,
        method="paper",
        wording=WordingFactory(),
        given_on=day,
        naming=naming,
        allowed=allowed or allow_all(),
    )


def verdict(student, purpose=Purpose.SOCIAL_MEDIA, medium=Medium.PHOTO, year=2026):
    return consent_verdicts([student], purpose, medium, year)[0]


def test_school_year_turns_on_the_first_of_september():
    assert school_year_of(datetime.date(2026, 8, 31)) == 2025
    assert school_year_of(datetime.date(2026, 9, 1)) == 2026


def test_consent_recorded_allows_and_names_as_given(world):
    student, (carer,) = student_with_carers(world.school_a, given_name="Zoë", family_name="O'Neil")
    give(world, student, carer, naming=Naming.INITIALS)
    v = verdict(student)
    assert v.allowed and v.naming == Naming.INITIALS and v.shown_as == "ZO"
    assert AuditEntry.objects.filter(action="consent.recorded").count() == 1


def test_no_decision_means_not_allowed(world):
    student, _ = student_with_carers(world.school_a)
    assert not verdict(student).allowed


def test_withdrawal_is_a_new_event_and_nothing_is_overwritten(world):
    student, (carer,) = student_with_carers(world.school_a)
    first = give(world, student, carer)
    consent_withdraw(
        actor=world.office_a,
        student=student,
        carer=carer,
        method="phone",
        wording=WordingFactory(),
        given_on=DAY,
    )
    assert ConsentDecision.objects.filter(student=student).count() == 2
    first.refresh_from_db()
    assert first.items.filter(allowed=True).count() == len(ALL_ITEMS)
    assert not verdict(student).allowed
    entry = AuditEntry.objects.get(action="consent.withdrawn")
    assert "social_media/photo" in entry.data["narrowed"]


def test_two_carers_who_disagree_the_more_restrictive_wins_and_it_is_shown(world):
    student, (mum, dad) = student_with_carers(world.school_a, n_carers=2)
    give(world, student, mum, naming=Naming.FULL_NAME)
    give(
        world,
        student,
        dad,
        naming=Naming.FIRST_NAME,
        allowed=allow_all({(Purpose.PRESS, Medium.VIDEO): False}),
    )
    assert verdict(student).naming == Naming.FIRST_NAME
    press = CurrentConsent.objects.get(student=student, purpose=Purpose.PRESS, medium=Medium.VIDEO)
    assert not press.allowed and press.disagreement
    social = CurrentConsent.objects.get(
        student=student, purpose=Purpose.SOCIAL_MEDIA, medium=Medium.PHOTO
    )
    assert social.allowed and social.disagreement  # namings differ


def test_consent_expires_at_the_rollover_unless_renewed(world):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer, day=datetime.date(2026, 7, 1))  # 2025/26
    assert verdict(student, year=2025).allowed
    assert not verdict(student, year=2026).allowed


def test_a_decision_must_answer_every_purpose_and_medium(world):
    student, (carer,) = student_with_carers(world.school_a)
    partial = allow_all()
    partial.pop((Purpose.PRINT, Medium.VIDEO))
    with pytest.raises(ConsentError, match="every purpose"):
        give(world, student, carer, allowed=partial)
    assert not ConsentDecision.objects.exists()


def test_carer_of_another_student_cannot_decide(world):
    student, _ = student_with_carers(world.school_a)
    _, (stranger,) = student_with_carers(world.school_a)
    with pytest.raises(ConsentError, match="not a recorded parent"):
        give(world, student, stranger)


@pytest.mark.parametrize("persona", ["teacher_a", "leader_a", "office_b", "trust_admin"])
def test_only_the_schools_consent_administrators_record_decisions(world, persona):
    student, (carer,) = student_with_carers(world.school_a)
    with pytest.raises(PermissionDenied):
        consent_record(
            actor=world.people[persona],
            student=student,
            carer=carer,
            method="paper",
            wording=WordingFactory(),
            given_on=DAY,
            naming=Naming.NONE,
            allowed=allow_all(),
        )


def test_students_are_visible_only_inside_their_school(world):
    a, _ = student_with_carers(world.school_a)
    b, _ = student_with_carers(world.school_b)
    assert list(students_visible_to(world.teacher_a)) == [a]
    assert list(students_visible_to(world.office_b)) == [b]
    assert not students_visible_to(world.trustee).exists()
    assert not students_visible_to(world.staff_a).exists()


def test_verdicts_for_thirty_students_use_one_query(world, django_assert_num_queries):
    students = [student_with_carers(world.school_a)[0] for _ in range(30)]
    with django_assert_num_queries(1):
        verdicts = consent_verdicts(students, Purpose.SOCIAL_MEDIA, Medium.PHOTO, 2026)
    assert len(verdicts) == 30


def test_a_student_who_left_is_never_allowed(world):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    student.left_on = DAY
    student.save()
    assert not verdict(student).allowed
