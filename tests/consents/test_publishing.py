"""The check before publishing, the record of a post, and takedowns after a withdrawal."""

import datetime

import pytest
from django.core import mail

from consents.models import Medium, Naming, Publication, Takedown
from consents.publishing import publication_check, publication_record, takedown_done
from consents.services import ConsentError, consent_withdraw
from notifications.models import Notification
from tests.channels.factories import make_account

from .factories import WordingFactory, student_with_carers
from .test_consent_records import give

DAY = datetime.date(2026, 10, 1)


@pytest.fixture
def account(world):
    return make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.leader_a], status="active"
    )


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 10, 0))


def test_check_answers_per_student_and_how_each_may_be_named(world, account, clock):
    yes, (c1,) = student_with_carers(world.school_a, given_name="Amara", family_name="Okafor")
    no, _ = student_with_carers(world.school_a)
    give(world, yes, c1, naming=Naming.FIRST_NAME)
    verdicts = publication_check(
        actor=world.teacher_a, account=account, medium=Medium.PHOTO, students=[yes, no]
    )
    assert [(v.allowed, v.shown_as) for v in verdicts] == [(True, "Amara"), (False, "")]


def test_a_post_with_one_student_without_consent_is_blocked_and_nothing_recorded(
    world, account, clock
):
    yes, (c1,) = student_with_carers(world.school_a)
    no, _ = student_with_carers(world.school_a)
    give(world, yes, c1)
    with pytest.raises(ConsentError, match="may not appear"):
        publication_record(
            actor=world.teacher_a,
            account=account,
            medium=Medium.PHOTO,
            students=[yes, no],
            post_url="https://instagram.com/p/1",
            published_on=DAY,
        )
    assert not Publication.objects.exists()


def test_students_of_another_school_cannot_be_checked(world, account, clock):
    other, _ = student_with_carers(world.school_b)
    with pytest.raises(ConsentError, match="account's school"):
        publication_check(
            actor=world.teacher_a, account=account, medium=Medium.PHOTO, students=[other]
        )


def test_withdrawal_turns_recorded_posts_into_a_takedown_for_the_owner(
    world, account, clock, django_capture_on_commit_callbacks
):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    publication_record(
        actor=world.teacher_a,
        account=account,
        medium=Medium.PHOTO,
        students=[student],
        post_url="https://instagram.com/p/2",
        published_on=DAY,
    )
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(
            actor=world.office_a,
            student=student,
            carer=carer,
            method="phone",
            wording=WordingFactory(),
            given_on=DAY,
        )
    task = Takedown.objects.get()
    assert task.owner == account.owner and task.status == Takedown.Status.OPEN
    assert (
        Notification.objects.filter(recipient=account.owner, kind="consents.takedown").count() == 1
    )
    assert any(account.owner.email in m.to for m in mail.outbox)
    assert not any(student.family_name in m.body for m in mail.outbox)
    takedown_done(actor=world.teacher_a, takedown=task)
    task.refresh_from_db()
    assert task.status == Takedown.Status.DONE


def test_a_narrowing_that_still_allows_the_post_opens_no_takedown(world, account, clock):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer)
    publication_record(
        actor=world.teacher_a,
        account=account,
        medium=Medium.PHOTO,
        students=[student],
        post_url="https://instagram.com/p/3",
        published_on=DAY,
    )
    from consents.models import Purpose

    from .test_consent_records import allow_all

    give(world, student, carer, allowed=allow_all({(Purpose.PRESS, Medium.VIDEO): False}))
    assert not Takedown.objects.exists()
