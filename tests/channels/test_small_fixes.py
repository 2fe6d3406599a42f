"""Small things a school would notice (issue 15, item 6), on the pages of official accounts,
policies, invitations and cases."""

from __future__ import annotations

from django.urls import reverse

from breaches.forms import ActionForm
from channels.models import OfficialAccount
from tests.policies.helpers import school_policy

from .factories import make_account

S = OfficialAccount.Status


def test_no_activate_button_while_activation_is_blocked(world, client_for):
    # No escrow gate registered in this test: activation is blocked, and says why.
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.head_a
    )
    page = client_for("teacher_a").get(reverse("channels:account_detail", args=[account.pk]))
    body = page.content.decode()
    assert 'id="activation-blockers"' in body
    assert ">Activate</button>" not in body


def test_activate_button_when_nothing_blocks(world, client_for, escrow_ready):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.head_a
    )
    page = client_for("teacher_a").get(reverse("channels:account_detail", args=[account.pk]))
    assert ">Activate</button>" in page.content.decode()


def test_history_shows_words_not_codes(world, client_for):
    from channels.services import accounts_flag_leaver

    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    accounts_flag_leaver(actor=None, user=world.staff_a)
    body = (
        client_for("head_a")
        .get(reverse("channels:account_detail", args=[account.pk]))
        .content.decode()
    )
    history = body.split('id="history"')[1]
    assert "Needs a new owner" in history
    for code in ("Needs_new_owner", "needs_new_owner", "Handed_over", "Comment_reported"):
        assert code not in history


def test_students_can_has_no_stray_semicolon(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    OfficialAccount.objects.filter(pk=account.pk).update(
        students_can_comment=True, students_can_upload_images=False, students_can_add_text=False
    )
    body = (
        client_for("head_a")
        .get(reverse("channels:account_detail", args=[account.pk]))
        .content.decode()
    )
    students = body.split("Students can</dt>")[1].split("</dd>")[0]
    assert "comment" in students and ";" not in students


def test_case_action_list_starts_empty():
    form = ActionForm()
    assert form.fields["action"].choices[0] == ("", "Choose an action")
    assert not ActionForm({"action": "", "text": ""}).is_valid()


def test_staff_at_two_schools_see_which_school_each_policy_is(world, client_for):
    from accounts.roles import SchoolRole
    from accounts.services import role_assign

    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role=SchoolRole.STAFF)
    school_policy(world, world.school_a)
    school_policy(world, world.school_b)
    body = client_for("teacher_a").get(reverse("policies:mine")).content.decode()
    assert world.school_a.name in body and world.school_b.name in body


def test_invitation_accepted_message_reads_right(world):
    from django.contrib.auth.tokens import default_token_generator
    from django.test import Client
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.services import user_invite

    user = user_invite(
        world.trust_admin, "new@alder.example", "New Person", world.school_a, "staff"
    )
    path = reverse(
        "accounts:invite_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    visitor = Client()
    form_url = visitor.get(path)["Location"]
    password = "a-Long-enough-pass-2026!"
    response = visitor.post(
        form_url, {"new_password1": password, "new_password2": password}, follow=True
    )
    body = response.content.decode()
    assert "Sign in with your email address and your new password." in body
    assert "and it." not in body
