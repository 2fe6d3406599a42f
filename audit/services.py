"""The one entry point that writes the audit log (clause 6)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .masking import mask
from .models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def canonical_content(entry: AuditEntry) -> str:
    """The exact text that `entry_hash` covers (shared by record and verify)."""
    payload = {
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_email": entry.actor_email,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_repr": entry.target_repr,
        "school_id": entry.school_id,
        "data": entry.data,
        "ip_address": entry.ip_address,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_content(entry)).encode()).hexdigest()


def record(
    actor,
    action: str,
    target: models.Model | None = None,
    school=None,
    data: dict[str, Any] | None = None,
    *,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry. `action` is a namespaced code such as `account.approved`.

    Joins the caller's transaction: if the change it records rolls back, so does the entry.
    """
    if "." not in action:
        raise ValueError("Audit actions are namespaced, e.g. 'account.approved'.")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    clean = json.loads(json.dumps(mask(data or {}), cls=DjangoJSONEncoder))
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor,
        actor_name=(actor.get_full_name() if actor else "")[:150],
        actor_email=(actor.email if actor else "")[:254],
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        school_id=getattr(school, "pk", school),
        data=clean,
        ip_address=ip_address,
    )
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS_HASH}
        )
        entry.prev_hash = head.last_hash
        entry.entry_hash = compute_hash(head.last_hash, entry)
        entry.save()
        head.last_hash = entry.entry_hash
        head.last_entry_id = entry.pk
        head.save(update_fields=["last_hash", "last_entry_id"])
    return entry
