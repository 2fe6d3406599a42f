"""Weekly digest: reminders held for people who chose it, one email per person per week."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import delivery
from notifications.models import DigestEmail, Notification, NotificationPreference
from notifications.services import notify, preference_update
from notifications.tasks import send_weekly_digests, sweep_pending

pytestmark = pytest.mark.usefixtures("probe_kinds")


@pytest.fixture
def digest_reader(world):
    NotificationPreference.objects.create(user=world.teacher_a, weekly_digest=True)
    return world.teacher_a


def _age_all():
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=5))


def test_digestible_kind_is_held_for_people_who_chose_the_digest(
    world, digest_reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify([digest_reader, world.teacher_b], "tests.plain_probe", context={"topic": "x"})
    held = {n.recipient_id: n for n in rows}
    assert held[digest_reader.pk].digest is True
    assert held[world.teacher_b.pk].digest is False
    assert [m.to for m in mail.outbox] == [[world.teacher_b.email]]
    _age_all()
    sweep_pending()
    assert len(mail.outbox) == 1  # the sweep leaves held rows alone


def test_kind_that_is_not_digestible_is_sent_at_once_even_to_digest_readers(
    world, digest_reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notify([digest_reader], "tests.confidential_probe")
    assert n.digest is False
    assert len(mail.outbox) == 1


def test_weekly_digest_lists_held_reminders_in_one_email_once_a_week(world, digest_reader):
    notify(
        [digest_reader],
        "tests.plain_probe",
        context={"topic": "the account review"},
        link="/official-accounts/1/",
        school=world.school_a,
    )
    notify(
        [digest_reader],
        "tests.plain_probe",
        context={"topic": "password rotation"},
        link="/official-accounts/2/",
    )
    assert send_weekly_digests() == 1
    (message,) = mail.outbox
    assert message.to == [digest_reader.email]
    assert "Plain probe about the account review at Alder Academy." in message.body
    assert "Plain probe about password rotation" in message.body
    assert "/official-accounts/2/" in message.alternatives[0][0]
    assert "Plain probe about the account review" in message.alternatives[0][0]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
    digest = DigestEmail.objects.get()
    assert digest.item_count == 2
    assert digest.week_start == delivery.week_start()

    # Run again in the same week, with a new reminder held meanwhile: nothing more is sent.
    notify([digest_reader], "tests.plain_probe", context={"topic": "late"})
    send_weekly_digests()
    assert len(mail.outbox) == 1
    late = Notification.objects.get(context__topic="late")
    assert late.email_status == Notification.EmailStatus.PENDING

    with time_machine.travel(timezone.now() + timedelta(days=7)):
        send_weekly_digests()
    assert len(mail.outbox) == 2
    assert "late" in mail.outbox[1].body
    assert DigestEmail.objects.count() == 2


def test_confidential_item_in_a_digest_is_a_link_only(world, digest_reader, monkeypatch):
    from notifications.kinds import KINDS, Kind

    monkeypatch.setitem(
        KINDS,
        "tests.confidential_probe",
        Kind("Needs attention", confidential=True, digestible=True),
    )
    notify(
        [digest_reader],
        "tests.confidential_probe",
        context={"secret": "Mr Smith"},
        link="/breaches/9/",
        school=world.school_a,
    )
    send_weekly_digests()
    (message,) = mail.outbox
    for body in (message.body, message.alternatives[0][0]):
        assert "Mr Smith" not in body
        assert "PROBE" not in body
        assert world.school_a.name not in body
        assert "/breaches/9/" in body
        assert "Something needs your attention" in body


def test_digest_relay_error_keeps_reminders_held_for_the_retry(world, digest_reader, flaky_relay):
    flaky_relay(1)
    notify([digest_reader], "tests.plain_probe", context={"topic": "x"})
    with pytest.raises(delivery.TransientDeliveryError):
        delivery.deliver_digest(digest_reader.pk, delivery.week_start())
    assert not DigestEmail.objects.exists()
    assert Notification.objects.get().email_status == Notification.EmailStatus.PENDING
    assert delivery.deliver_digest(digest_reader.pk, delivery.week_start()) == "sent"
    assert len(mail.outbox) == 1


def test_turning_the_digest_off_releases_held_reminders(
    world, digest_reader, django_capture_on_commit_callbacks
):
    notify([digest_reader], "tests.plain_probe", context={"topic": "x"})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        preference_update(digest_reader, weekly_digest=False)
    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_status == Notification.EmailStatus.SENT
