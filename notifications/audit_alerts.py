"""The audit chain's emails to the trust administrators (clause 6; docs/security.md).

The audit app sits below this one and cannot notify anyone itself: it sends
`audit.signals.chain_checked` inside the transaction that records each run of the chain
check, and this module turns it into outbox rows in that same transaction:

- `audit.chain_broken` when a run failed (a changed, removed or re-hashed entry, a cut, a
  checkpoint file that does not verify or has stopped growing), once a day per fault;
- `audit.checkpoint` with the signed checkpoint line, for the first checkpoint of each day,
  so that a copy of it sits in mailboxes out of reach of whoever runs the database.

Neither carries personal data (entry ids, hashes, times), so neither is confidential.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from accounts.roles import TrustRoleKind
from accounts.selectors import trust_role_holders
from audit.models import ChainCheck
from audit.signals import chain_checked

from .kinds import Kind, register
from .services import notify

KINDS = {
    "audit.chain_broken": Kind("The audit log's integrity check failed"),
    "audit.checkpoint": Kind("Today's checkpoint of the audit log"),
}
for _code, _kind in KINDS.items():
    register(_code, _kind)


@receiver(chain_checked, dispatch_uid="notifications.audit_alerts")
def tell_trust_administrators(sender, check: ChainCheck, **kwargs) -> None:
    day = timezone.localdate(check.finished_at).isoformat()
    admins = trust_role_holders(TrustRoleKind.TRUST_ADMIN)
    link = reverse("audit:chain")
    if not check.ok:
        notify(
            admins,
            "audit.chain_broken",
            context={
                "check": check.get_kind_display(),
                "at": timezone.localtime(check.finished_at).strftime("%d %b %Y %H:%M"),
                "problem": check.problem,
                "entry_id": check.broken_entry_id,
            },
            link=link,
            dedupe_key=f"audit.chain_broken:{day}:{check.broken_entry_id or check.problem[:60]}",
        )
    if check.checkpoint:
        notify(
            admins,
            "audit.checkpoint",
            context={
                "number": check.checkpoint_number,
                "entry_id": check.last_entry_id,
                "at": timezone.localtime(check.finished_at).strftime("%d %b %Y %H:%M"),
                "line": check.checkpoint,
            },
            link=link,
            dedupe_key=f"audit.checkpoint:{day}",
        )
