"""The demo's live accounts have login details in escrow (so they pass the gate), one rotation
overdue, one required; loading twice changes nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from channels.models import OfficialAccount
from escrow.demo import DEMO_PASSWORD_PREFIX
from escrow.models import Credential, CredentialVersion
from escrow.selectors import escrow_gate
from escrow.services import credential_retrieve

S = OfficialAccount.Status


@pytest.mark.django_db
def test_demo_escrows_live_accounts_with_fake_passwords_and_loads_twice(capsys):
    call_command("load_demo")
    counts = (Credential.objects.count(), CredentialVersion.objects.count())
    call_command("load_demo")
    assert (Credential.objects.count(), CredentialVersion.objects.count()) == counts
    assert "Credential escrow" in capsys.readouterr().out

    live = OfficialAccount.objects.filter(
        status__in=[S.ACTIVE, S.SUSPENDED],
        school__email_domains__domain__endswith="starmat.example",
    ).distinct()
    assert live.exists()
    for account in live:
        assert Credential.objects.filter(account=account, versions__isnull=False).exists()
    assert Credential.objects.filter(rotation_required=True).count() == 1
    today = timezone.localdate()
    assert any(c.rotation_overdue(today) for c in Credential.objects.all())
    passing = [a for a in live if escrow_gate(a) is None]
    assert passing
    account = passing[0]
    leader = User.objects.get(email__startswith="leader@", memberships__school=account.school)
    revealed = credential_retrieve(actor=leader, account=account, reason="demo test")
    assert revealed.get("password").startswith(DEMO_PASSWORD_PREFIX)
