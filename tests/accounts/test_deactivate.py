"""Deactivating leavers (issue 3): no more sign-in, every session ended at once, a durable
LeaverEvent, the `user_left` event later features act on, leaders told."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts import events
from accounts.models import LeaverEvent, PortalSession, User
from accounts.roles import SchoolRole
from accounts.services import AccountsError, role_assign, user_deactivate, user_reactivate
from audit.models import AuditEntry
from notifications.models import Notification
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD

HOME = reverse("dashboard:home")


def deactivate_url(user):
    return reverse("accounts:person_deactivate", kwargs={"pk": user.pk})


def test_sessions_record_their_owner_even_after_the_key_changes(world):
    client = Client()
    client.post(
        reverse("accounts:login"), {"username": world.teacher_a.email, "password": TEST_PASSWORD}
    )
    session = client.session
    old_key = session.session_key
    assert PortalSession.objects.get(session_key=old_key).user == world.teacher_a
    session.cycle_key()  # as at step-up
    session.save()
    assert session.session_key != old_key
    assert PortalSession.objects.get(session_key=session.session_key).user == world.teacher_a


def test_deactivation_signs_the_person_out_everywhere_at_once(world, client_for):
    laptop = Client()
    laptop.post(
        reverse("accounts:login"), {"username": world.teacher_a.email, "password": TEST_PASSWORD}
    )
    phone = sign_in(Client(), world.teacher_a)
    bystander = client_for("teacher_b")
    assert laptop.get(HOME).status_code == 200 and phone.get(HOME).status_code == 200
    assert PortalSession.objects.filter(user=world.teacher_a).count() == 2

    response = client_for("trust_admin").post(
        deactivate_url(world.teacher_a), {"reason": "Left at the end of term"}
    )

    assert response.status_code == 302
    assert not PortalSession.objects.filter(user=world.teacher_a).exists()
    for client in (laptop, phone):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert SESSION_KEY not in client.session
    assert bystander.get(HOME).status_code == 200


def test_deactivated_person_cannot_sign_in_again(world):
    user_deactivate(world.trust_admin, world.teacher_a, "Left")
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": world.teacher_a.email, "password": TEST_PASSWORD}
    )
    assert SESSION_KEY not in client.session
    assert response.status_code == 200


def test_deactivation_records_leaver_event_audit_and_user_left_signal(world):
    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role=SchoolRole.STAFF)
    sign_in(Client(), world.teacher_a)
    received = []

    def receiver(sender, user, event, actor, **kwargs):
        # Sent inside the transaction: the leaver row is already there for receivers.
        received.append((sender, user.pk, event.pk, actor.pk, user.is_active))

    events.user_left.connect(receiver)
    try:
        event = user_deactivate(world.trust_admin, world.teacher_a, "Moved to another trust")
    finally:
        events.user_left.disconnect(receiver)

    user = User.objects.get(pk=world.teacher_a.pk)
    assert not user.is_active and user.deactivated_at is not None
    assert LeaverEvent.objects.get() == event
    assert event.reason == "Moved to another trust"
    assert event.school_ids == sorted([world.school_a.pk, world.school_b.pk])
    assert event.sessions_ended == 1 and event.actor_name == "Trust Admin"
    assert received == [(User, user.pk, event.pk, world.trust_admin.pk, False)]
    entry = AuditEntry.objects.get(action="user.deactivated")
    assert entry.target_id == str(user.pk) and entry.data["reason"] == "Moved to another trust"


def test_leaders_of_the_persons_schools_are_told(world):
    user_deactivate(world.trust_admin, world.teacher_a, "Left")
    notified = set(
        Notification.objects.filter(kind="accounts.leaver").values_list(
            "recipient__email", flat=True
        )
    )
    assert notified == {world.leader_a.email, world.head_a.email}
    note = Notification.objects.filter(kind="accounts.leaver").first()
    assert note.school_id == world.school_a.pk and note.context == {"name": "Teacher A"}


def test_a_receiver_that_fails_rolls_the_deactivation_back(world):
    def broken(sender, **kwargs):
        raise RuntimeError("handover failed")

    events.user_left.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            user_deactivate(world.trust_admin, world.teacher_a, "Left")
    finally:
        events.user_left.disconnect(broken)
    assert User.objects.get(pk=world.teacher_a.pk).is_active
    assert not LeaverEvent.objects.exists()


def test_deactivating_yourself_is_refused(world, client_for):
    response = client_for("trust_admin").post(deactivate_url(world.trust_admin), {"reason": "x"})
    assert response.status_code == 200
    assert "cannot deactivate yourself" in response.content.decode()
    assert User.objects.get(pk=world.trust_admin.pk).is_active


def test_reason_is_required(world, client_for):
    response = client_for("trust_admin").post(deactivate_url(world.teacher_a), {"reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert User.objects.get(pk=world.teacher_a.pk).is_active


def test_deactivating_twice_is_refused(world):
    user_deactivate(world.trust_admin, world.teacher_a, "Left")
    with pytest.raises(AccountsError, match="already deactivated"):
        user_deactivate(world.trust_admin, world.teacher_a, "Left again")
    assert LeaverEvent.objects.count() == 1


def test_leader_may_not_deactivate(world):
    with pytest.raises(AccountsError):
        user_deactivate(world.head_a, world.teacher_a, "Not theirs to decide")
    assert User.objects.get(pk=world.teacher_a.pk).is_active


def test_reactivation_lets_them_back_with_their_roles(world, client_for):
    user_deactivate(world.trust_admin, world.teacher_a, "Mistake")
    response = client_for("trust_admin").post(
        reverse("accounts:person_reactivate", kwargs={"pk": world.teacher_a.pk})
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.teacher_a.pk)
    assert user.is_active and user.deactivated_at is None
    assert user.memberships.filter(role="teacher").exists()
    assert AuditEntry.objects.filter(action="user.reactivated").exists()
    with pytest.raises(AccountsError, match="already active"):
        user_reactivate(actor=world.trust_admin, user=user)
