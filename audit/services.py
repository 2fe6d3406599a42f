"""The one entry point that writes the audit log (clause 6: monitoring and accountability)."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .masking import mask
from .models import AuditChainHead, AuditEntry
from .signals import change_committed

GENESIS_HASH = "0" * 64
ACTION_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

# The fields `entry_hash` covers, in the order verify_audit_chain reads them.
HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_name",
    "actor_email",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "school_id",
    "data",
    "ip_address",
)


def _canonical_number(value: Any) -> Any:
    # jsonb keeps 1.0 as 1.0 but turns 1e16 into 10000000000000000 (an int once read back):
    # treating every integral float as an int makes both sides hash alike.
    kind = type(value)
    if kind is dict:
        return {k: _canonical_number(v) for k, v in value.items()}
    if kind is list:
        return [_canonical_number(v) for v in value]
    if kind is float and value.is_integer():
        return int(value)
    return value


@functools.lru_cache(maxsize=4096)  # the chain check meets the same few addresses again and again
def _canonical_ip(value: str | None) -> str | None:
    return str(ipaddress.ip_address(value)) if value else None


# Everything hashed is plain JSON by then (created_at is formatted first), so no custom encoder.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_content(fields: Mapping[str, Any]) -> str:
    """The exact text `entry_hash` covers, from an entry or from a `.values()` row, so
    record() and verify_audit_chain agree byte for byte whatever the database returns."""
    created_at: datetime = fields["created_at"]
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["created_at"] = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload["data"] = _canonical_number(fields["data"])
    payload["ip_address"] = _canonical_ip(fields["ip_address"])
    return _CANONICAL_JSON.encode(payload)


def compute_hash(prev_hash: str, fields: Mapping[str, Any] | AuditEntry) -> str:
    if isinstance(fields, AuditEntry):
        fields = {name: getattr(fields, name) for name in HASHED_FIELDS}
    return hashlib.sha256((prev_hash + canonical_content(fields)).encode()).hexdigest()


def _ip_from_meta(meta: Mapping[str, Any]) -> str | None:
    candidate = meta.get("REMOTE_ADDR")
    hops = getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0)
    forwarded = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if hops > 0 and len(forwarded) >= hops:
        candidate = forwarded[-hops]
    try:
        return _canonical_ip(candidate)
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person making the request, for `record(..., ip_address=...)`.

    REMOTE_ADDR, unless settings.AUDIT_TRUSTED_PROXY_COUNT says that many reverse proxies of
    ours stand in front: then the address the outermost of them saw, i.e. the entry that many
    places from the right of X-Forwarded-For. Entries further left were written by the client
    and prove nothing.
    """
    if request is None:
        return None
    return _ip_from_meta(getattr(request, "META", {}))


# The address of the request being handled (set by audit.receivers on request_started), so
# that entries written deep inside a service, such as a denied access, still carry it.
_request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)


def remember_request_ip(meta: Mapping[str, Any] | None) -> None:
    _request_ip.set(_ip_from_meta(meta) if meta else None)


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

    Secret-looking keys in `data` are masked before anything is stored. Without `ip_address`,
    the address of the request being handled (if any) is used. Joins the caller's
    transaction: if the change it records rolls back, so does the entry. Entries written at
    the same time still form one chain: the chain head row is locked while appending, and the
    id is drawn after the lock, so id order is chain order. The lock is held until the
    caller's transaction ends, so call record() after the change, at the end of the service.
    """
    if not ACTION_PATTERN.match(action) or len(action) > 64:
        raise ValueError("Audit actions are namespaced, e.g. 'account.approved'.")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    clean = json.loads(json.dumps(mask(data or {}), cls=DjangoJSONEncoder))
    try:
        ip = _canonical_ip(ip_address) or _request_ip.get()
    except ValueError:
        ip = None
    school_id = getattr(school, "pk", school)
    entry = AuditEntry(
        actor=actor,
        actor_name=(actor.get_full_name() if actor else "")[:150],
        actor_email=(actor.email if actor else "")[:254],
        action=action,
        target_type=target._meta.label[:100] if target is not None else "",
        target_id=str(target.pk)[:64] if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        school_id=int(school_id) if school_id is not None else None,
        data=clean,
        ip_address=ip,
    )
    # No savepoint of its own inside the caller's transaction (it would cost two more round
    # trips per entry): an entry that fails to be written fails the whole change anyway.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS_HASH}
        )
        # Stamped under the lock, so time order follows chain (and id) order.
        entry.created_at = timezone.now()
        entry.prev_hash = head.last_hash
        entry.entry_hash = compute_hash(head.last_hash, entry)
        entry.save(force_insert=True)
        head.last_hash = entry.entry_hash
        head.last_entry_id = entry.pk
        head.save(update_fields=["last_hash", "last_entry_id"])
    if actor is not None:
        sent = {"actor_id": actor.pk, "action": action, "school_id": entry.school_id}
        # robust: the change is committed by then; a receiver's failure must not turn it into
        # an error page (it is logged).
        transaction.on_commit(lambda: change_committed.send(sender=AuditEntry, **sent), robust=True)
    return entry
