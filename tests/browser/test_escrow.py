"""Issue 5 in Chromium: a leader retrieves an official account's password after the step-up
(password and TOTP again), sees it in the auto-hiding element, the owner finds the
notification, and a leader of another school gets 404 for the same account."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from channels.models import OfficialAccount
from escrow.demo import DEMO_PASSWORD_PREFIX
from escrow.models import Credential, Retrieval

from .helpers import code_for_device, replay_data_migrations
from .test_channels import sign_in

LEADER = "leader@northfield.starmat.example"
OWNER = "teacher@northfield.starmat.example"
OTHER_LEADER = "leader@oakwood.starmat.example"


def test_leader_retrieves_after_step_up_owner_is_told_other_school_gets_404(new_visitor):
    replay_data_migrations()
    call_command("load_demo", stdout=StringIO())
    credential = (
        Credential.objects.filter(
            school__name__startswith="Northfield",
            rotation_required=False,
            account__owner__email=OWNER,
            account__status=OfficialAccount.Status.ACTIVE,
        )
        .select_related("account")
        .first()
    )
    assert credential is not None, "the demo escrows Northfield's live account"
    account = credential.account

    leader = new_visitor("northfield-leader")
    sign_in(leader, LEADER)
    leader.goto("escrow:index", slug="escrow-list")
    assert account.handle in leader.text()
    leader.goto("escrow:account", account.pk, slug="account")
    leader.follow("Retrieve the login details", slug="step-up")
    assert leader.path.startswith(reverse("accounts:step_up")), leader.page.url
    leader.fill("password", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__email=LEADER, confirmed=True)
    leader.fill("otp_token", code_for_device(device))
    leader.submit("Confirm", slug="retrieve-form")
    assert leader.path == reverse("escrow:retrieve", kwargs={"pk": account.pk})
    leader.fill("reason", "The owner is off sick and a post must come down.")
    response = leader.submit("Retrieve", slug="revealed")
    assert "no-store" in response.headers["cache-control"]
    shown = leader.page.locator('[data-auto-hide="60"]')
    assert f"{DEMO_PASSWORD_PREFIX}{account.pk}" in shown.inner_text()
    assert Retrieval.objects.filter(credential=credential, user__email=LEADER).count() == 1

    owner = new_visitor("owner")
    sign_in(owner, OWNER)
    owner.goto("notifications:list", slug="owner-notifications")
    assert "Login details of your official account were retrieved" in owner.text()

    other = new_visitor("oakwood-leader")
    sign_in(other, OTHER_LEADER)
    other.goto("escrow:account", account.pk, slug="other-school-404", status=404)
    other.goto("escrow:retrieve", account.pk, slug="other-school-retrieve-404", status=404)
