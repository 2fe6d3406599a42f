"""Issue 4 in Chromium: a teacher registers an official account and meets each check, a leader
of the same school approves it while another school's leader gets 404, the requester cannot
approve their own, and the public register shows the account only once it is active."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from channels import services
from channels.gates import ESCROW_GATE, GATES, register_gate
from channels.models import OfficialAccount
from tests.channels.factories import account_data

from .helpers import Visitor, sign_in_with_password, verify_totp

TEACHER = "teacher@northfield.starmat.example"
LEADER = "leader@northfield.starmat.example"
OTHER_LEADER = "leader@oakwood.starmat.example"


@pytest.fixture
def escrow_gate():
    """The escrow app's check through the real plug point (channels.gates), answering
    "escrowed" for the account the teacher registers; issue 5 supplies the real one."""
    saved = dict(GATES)
    register_gate(ESCROW_GATE, lambda account: None)
    yield
    GATES.clear()
    GATES.update(saved)


def sign_in(visitor: Visitor, email: str) -> None:
    sign_in_with_password(visitor, email, DEMO_PASSWORD)
    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is not None:
        verify_totp(visitor, device)
    assert visitor.path == reverse("dashboard:home"), visitor.page.url


def check(visitor: Visitor, name: str, value: str, on: bool = True) -> None:
    box = visitor.page.locator(f'input[name="{name}"][value="{value}"]')
    box.check() if on else box.uncheck()


def tick(visitor: Visitor, name: str, on: bool = True) -> None:
    box = visitor.page.locator(f'input[name="{name}"]')
    box.check() if on else box.uncheck()


def test_registration_checks_approval_and_public_register(new_visitor, escrow_gate):
    call_command("load_demo", stdout=StringIO())
    staff = User.objects.get(email="staff@northfield.starmat.example")
    teacher_user = User.objects.get(email=TEACHER)

    teacher = new_visitor("teacher")
    sign_in(teacher, TEACHER)
    teacher.goto("channels:account_list", slug="accounts")
    teacher.page.get_by_role("link", name="Register an account").click()
    teacher.page.wait_for_load_state("load")
    teacher.check("registration-form")

    # First attempt breaks every rule at once: a personal email, Year 5 on Facebook with
    # comments on, and the address of the school's existing Facebook page.
    teacher.page.locator('[name="platform"]').select_option(label="Facebook (minimum age 13)")
    teacher.fill("handle", "Northfield Parents")
    teacher.fill("url", "http://facebook.com/NorthfieldPrimaryNews/")
    teacher.fill(
        "purpose", "Share class news and learning with Year 5 families and let pupils comment."
    )
    check(teacher, "audience_year_groups", "5")
    tick(teacher, "students_can_comment")
    teacher.fill("login_email", "northfield.year5@gmail.com")
    teacher.page.locator('[name="owner"]').select_option(value=str(teacher_user.pk))
    check(teacher, "deputies", str(staff.pk))
    for name in (
        "attest_dedicated",
        "attest_no_private_messages",
        "attest_no_follow_back",
        "attest_strongest_privacy",
    ):
        tick(teacher, name)
    teacher.submit("Save draft", slug="every-check-fails")
    errors = teacher.text()
    assert "must be an official Northfield Primary Academy address" in errors
    assert "@northfield.starmat.example" in errors
    assert "Year 5 pupils are aged 9–10" in errors
    assert "minimum age is 13" in errors
    assert "already registered in the trust" in errors
    assert not OfficialAccount.objects.filter(handle="Northfield Parents").exists()

    # Fixed: an official address, parents as the audience, pupils only read, a new page.
    teacher.fill("url", "https://www.facebook.com/northfieldparents")
    check(teacher, "audience_year_groups", "5", on=False)
    tick(teacher, "audience_adults")
    tick(teacher, "students_can_comment", on=False)
    teacher.fill("login_email", "parents@northfield.starmat.example")
    teacher.submit("Save draft", slug="draft-saved")
    account = OfficialAccount.objects.get(handle="Northfield Parents")
    assert teacher.path == reverse("channels:account_detail", args=[account.pk])
    teacher.submit("Submit for approval", slug="submitted")
    assert "Awaiting approval" in teacher.text()

    # Another school's leader: exactly a missing page.
    other = new_visitor("oakwood-leader")
    sign_in(other, OTHER_LEADER)
    other.goto("channels:account_detail", account.pk, slug="other-school-404", status=404)

    # Not on the public register while it waits.
    public = new_visitor("parent")
    public.goto("register:index", slug="register-before")
    assert "Northfield Parents" not in public.text()

    leader = new_visitor("northfield-leader")
    sign_in(leader, LEADER)
    leader.goto("channels:queue", slug="queue")
    assert "Northfield Parents" in leader.text()
    leader.goto("channels:account_detail", account.pk, slug="to-approve")
    leader.submit("Approve", slug="approved")
    assert "Approved, not yet active" in leader.text()

    teacher.goto("channels:account_detail", account.pk, slug="approved-teacher")
    teacher.submit("Activate", slug="activated")
    assert teacher.page.locator('[data-status="active"]').count() == 1

    public.goto("register:index", slug="register-after")
    listed = public.page.get_by_role("link", name="Northfield Parents")
    assert listed.get_attribute("href") == "https://www.facebook.com/northfieldparents"
    assert "Tara" not in public.text()  # no people on the public page


def test_requester_sees_no_approve_button_on_their_own_request(new_visitor):
    call_command("load_demo", stdout=StringIO())
    leader_user = User.objects.get(email=LEADER)
    school = leader_user.memberships.get().school
    account = services.account_register(
        actor=leader_user,
        school=school,
        owner=User.objects.get(email=TEACHER),
        deputies=[User.objects.get(email="staff@northfield.starmat.example")],
        data=account_data(school, login_email="leaders@northfield.starmat.example"),
    )
    services.account_submit(actor=leader_user, account=account)

    leader = new_visitor("northfield-leader")
    sign_in(leader, LEADER)
    leader.goto("channels:account_detail", account.pk, slug="own-request")
    assert leader.page.get_by_role("button", name="Approve").count() == 0
    assert "another leader of the school decides" in leader.text()
