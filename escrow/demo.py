"""Demo login details for the demo's live official accounts (issue 5), so they pass the
activation gate. Deposited through the real service with obviously fake passwords. The
passing of time is the one thing set directly: one account's password is 100 days old
(rotation overdue), and one must be changed (rotation required, as after a leaver).
Idempotent: an account with login details already in escrow is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels.models import OfficialAccount

from .models import Credential, CredentialVersion
from .services import credential_deposit, credential_require_rotation

DEMO_PASSWORD_PREFIX = "DEMO-not-a-real-password-"


@transaction.atomic
def load(ctx) -> None:
    live = (
        OfficialAccount.objects.filter(
            school__in=list(ctx.schools.values()),
            status__in=[OfficialAccount.Status.ACTIVE, OfficialAccount.Status.SUSPENDED],
        )
        .select_related("owner")
        .prefetch_related("deputies")
        .order_by("pk")
    )
    made: list[OfficialAccount] = []
    for account in live:
        if Credential.objects.filter(account=account, versions__isnull=False).exists():
            continue
        depositor = account.owner
        if not depositor.is_active:
            depositor = next((d for d in account.deputies.all() if d.is_active), None)
        if depositor is None:
            continue
        credential_deposit(
            actor=depositor,
            account=account,
            username=account.login_email,
            password=f"{DEMO_PASSWORD_PREFIX}{account.pk}",
            notes="Demo data: not a real login.",
        )
        made.append(account)
    if len(made) >= 2:
        overdue, required = made[0], made[1]
        # 100 days ago: the 90-day rotation is overdue and the reminders have something to say.
        long_ago = timezone.now() - timedelta(days=100)
        Credential.objects.filter(account=overdue).update(rotated_at=long_ago)
        CredentialVersion.objects.filter(credential__account=overdue).update(deposited_at=long_ago)
        credential_require_rotation(
            actor=None,
            credential=Credential.objects.get(account=required),
            reason="Demo: a leader who retrieved the login details has left the school.",
        )
    ctx.hints.append(
        "Credential escrow (/escrow/): live accounts have fake login details in escrow "
        f"(passwords start {DEMO_PASSWORD_PREFIX!r}); leaders retrieve them after the step-up "
        "(password + `manage.py demo_totp EMAIL`). One rotation is overdue, one required."
    )
