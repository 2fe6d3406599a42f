"""Invitations (issue 3): an account with no usable password, an email with a one-time link
to set one (Django's token, SetPasswordForm), refused for an address that has an account."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, TrustRole, User
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.services import AccountsError, user_deactivate, user_invite
from audit.models import AuditEntry
from tests.factories import SchoolFactory, TrustFactory

INVITE = reverse("accounts:person_invite")
NEW_PASSWORD = "plum-harbour-lantern-47"


def invite_data(world, **overrides):
    data = {
        "full_name": "Nia New",
        "email": "Nia.New@Alder.example",
        "school": world.school_a.pk,
        "role": SchoolRole.TEACHER,
        "trust_role": "",
    }
    data.update(overrides)
    return data


def link_path(message) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/invite/[^\s\"<]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invite_creates_passwordless_account_with_role_and_emails_a_link(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("trust_admin").post(INVITE, invite_data(world))
    user = User.objects.get(email="nia.new@alder.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:person_detail", kwargs={"pk": user.pk})
    assert not user.has_usable_password()
    assert user.invited_by == world.trust_admin and user.invited_at is not None
    assert Membership.objects.filter(user=user, school=world.school_a, role="teacher").exists()
    [message] = mail.outbox
    assert message.to == ["nia.new@alder.example"]
    assert "/accounts/invite/" in message.body
    html = message.alternatives[0][0]
    assert link_path(message) in html
    entry = AuditEntry.objects.get(action="user.invited")
    assert entry.actor_id == world.trust_admin.pk and entry.target_id == str(user.pk)
    # the token is a secret: never in the audit data
    assert link_path(message).split("/")[-2] not in str(entry.data)


def test_no_email_leaves_before_the_transaction_commits(world, client_for):
    client_for("trust_admin").post(INVITE, invite_data(world))
    assert User.objects.filter(email="nia.new@alder.example").exists()
    assert mail.outbox == []


def test_invited_person_sets_password_then_signs_in(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("trust_admin").post(INVITE, invite_data(world))
    path = link_path(mail.outbox[0])
    visitor = Client()
    response = visitor.get(path)
    # The token moves into the session so it does not leak through the Referer header.
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    page = visitor.get(form_url)
    html = page.content.decode()
    assert 'name="new_password1"' in html and 'name="new_password2"' in html
    assert ">Set password</button>" in html
    response = visitor.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    user = User.objects.get(email="nia.new@alder.example")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.invitation_accepted", actor=user).exists()
    signed_in = Client().post(
        reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_link_dies_once_the_password_is_set(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("trust_admin").post(INVITE, invite_data(world))
    path = link_path(mail.outbox[0])
    visitor = Client()
    form_url = visitor.get(path)["Location"]
    visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(path)
    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "already been used or has expired" in again.content.decode()


def test_link_expires_after_password_reset_timeout(world, client_for, monkeypatch):
    user = user_invite(
        world.trust_admin, "late@alder.example", "Late Comer", world.school_a, "staff"
    )
    token = default_token_generator.make_token(user)
    path = reverse(
        "accounts:invite_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )
    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = Client().get(path)
    assert response.status_code == 200 and not response.context["validlink"]


def test_weak_password_is_refused_and_nothing_changes(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("trust_admin").post(INVITE, invite_data(world))
    visitor = Client()
    form_url = visitor.get(link_path(mail.outbox[0]))["Location"]
    response = visitor.post(form_url, {"new_password1": "short1", "new_password2": "short1"})
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert not User.objects.get(email="nia.new@alder.example").has_usable_password()


def test_deactivated_persons_invitation_link_is_dead(world):
    user = user_invite(
        world.trust_admin, "gone@alder.example", "Gone Soon", world.school_a, "staff"
    )
    token = default_token_generator.make_token(user)
    user_deactivate(world.trust_admin, user, "Did not start")
    path = reverse(
        "accounts:invite_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )
    assert not Client().get(path).context["validlink"]


def test_reinviting_an_existing_email_is_refused_with_a_clear_message(world, client_for):
    response = client_for("trust_admin").post(
        INVITE, invite_data(world, email=world.teacher_b.email.upper())
    )
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert User.objects.filter(email__iexact=world.teacher_b.email).count() == 1


def test_service_refuses_existing_email_too(world):
    with pytest.raises(AccountsError, match="already has an account"):
        user_invite(world.trust_admin, world.teacher_a.email, "Again", world.school_a, "staff")


def test_invite_with_trust_role_only(world, client_for):
    response = client_for("trust_admin").post(
        INVITE,
        invite_data(world, school="", role="", trust_role=TrustRoleKind.TRUSTEE),
    )
    assert response.status_code == 302
    user = User.objects.get(email="nia.new@alder.example")
    assert TrustRole.objects.filter(user=user, trust=world.trust, role="trustee").exists()
    assert not user.memberships.exists()


def test_invite_without_any_role_is_a_form_error(world, client_for):
    response = client_for("trust_admin").post(INVITE, invite_data(world, school="", role=""))
    assert response.status_code == 200
    assert "Choose a first role" in response.content.decode()
    assert not User.objects.filter(email="nia.new@alder.example").exists()


def test_invite_to_a_school_of_another_trust_is_refused(world, client_for):
    other = SchoolFactory(trust=TrustFactory(name="Other Trust"))
    response = client_for("trust_admin").post(INVITE, invite_data(world, school=other.pk))
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not User.objects.filter(email="nia.new@alder.example").exists()


def test_resend_sends_a_fresh_email_only_while_no_password_is_set(
    world, client_for, django_capture_on_commit_callbacks
):
    user = user_invite(
        world.trust_admin, "slow@alder.example", "Slow Reader", world.school_a, "staff"
    )
    url = reverse("accounts:person_invite_resend", kwargs={"pk": user.pk})
    client = client_for("trust_admin")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [m.to for m in mail.outbox] == [["slow@alder.example"]]
    assert AuditEntry.objects.filter(action="user.invitation_resent").exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:person_invite_resend", kwargs={"pk": world.teacher_a.pk}),
            follow=True,
        )
    assert mail.outbox == []
    assert "already set a password" in response.content.decode()
