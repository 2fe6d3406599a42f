"""The audit log's hash chain: what each entry's hash covers, and the check of the whole chain
(clause 6; docs/security.md, "The audit chain").

Every entry stores `prev_hash` (the previous entry's `entry_hash`) and

    entry_hash = HMAC-SHA256(chain key, "v1\\n" + key_id + "\\n" + prev_hash + "\\n" + content)

where `content` is `canonical_content()` of the entry and `key_id` names the key (audit/keys.py)
the entry was made with, stored on the entry. The key lives outside the database, so whoever
can rewrite the table without holding it cannot recompute a hash: an edited entry no longer
matches, and re-linking the entries after it is impossible.

Entries written before the chain was keyed (`key_id` empty) keep their plain
`SHA-256(prev_hash + content)`: they are append-only and cannot be re-hashed. They are
accepted only as the beginning of the chain, before the first keyed entry, and the first keyed
entry's HMAC covers the last legacy hash, which in turn covers every legacy entry: a legacy
entry edited and re-hashed forward with SHA-256 still breaks at the first keyed entry.

Keys are ranked newest first (the current key first). Along the chain the rank never goes
back: an entry made with an older key than the entry before it, or an unkeyed entry after a
keyed one, is reported. So a retired key that leaked cannot be used to rewrite anything
written after the rotation.

Truncating the end of the chain leaves a valid shorter chain, which no hash can reveal: the
checkpoints written outside the database (audit/anchor.py) do. `verify_chain` compares every
entry a checkpoint names with the hash the checkpoint recorded.

`canonical_content` is defined by field name, so the fields added for personal data (issue
19: `subject` and `sealed`, the ciphertext of the entry's personal parts, bytes hashed as
base64; audit/personal.py) join the content under their own names for entries that have a
subject, and entries written before keep their hash. The HMAC needs no database round
trip, so appending costs what it cost before.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .keys import Keyring, chain_keyring

if TYPE_CHECKING:
    from .anchor import Checkpoint

GENESIS_HASH = "0" * 64
LEGACY_KEY_ID = ""  # entries hashed with plain SHA-256, before the chain was keyed
HASH_FORMAT = "v1"

# The fields `entry_hash` covers, in the order verify_chain reads them.
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
# Fields hashed only when the entry has them (a subject): entries written before they existed,
# and entries with nothing personal, keep the hash they had (issue 19, audit/personal.py).
# The ciphertext is hashed, never the plain text, so destroying a subject's key changes nothing
# the verifier reads.
SEALED_FIELDS = ("subject", "sealed")


class ChainKeyError(Exception):
    """An entry cannot be made or checked with the keys this process holds."""


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
def canonical_ip(value: str | None) -> str | None:
    return str(ipaddress.ip_address(value)) if value else None


# Everything hashed is plain JSON by then (created_at is formatted first), so no custom encoder.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_content(fields: Mapping[str, Any]) -> str:
    """The exact text an entry's hash covers, from an entry's fields or a `.values()` row, so
    record() and verify_chain agree byte for byte whatever the database returns.

    JSON with sorted keys: the HASHED_FIELDS by name, `created_at` in UTC to the microsecond,
    integral floats in `data` as integers, the IP address in its canonical form, and any
    binary value (a ciphertext read back as memoryview) as base64 text.
    """
    created_at: datetime = fields["created_at"]
    payload = {name: fields[name] for name in HASHED_FIELDS}
    if fields.get("subject"):
        payload.update({name: fields[name] for name in SEALED_FIELDS})
    payload["created_at"] = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload["data"] = _canonical_number(fields["data"])
    payload["ip_address"] = canonical_ip(fields["ip_address"])
    for name, value in payload.items():
        if isinstance(value, bytes | memoryview):
            payload[name] = base64.b64encode(bytes(value)).decode()
    return _CANONICAL_JSON.encode(payload)


@functools.lru_cache(maxsize=16)
def _mac(key: bytes) -> hmac.HMAC:
    # The keyed state is built once per key; each hash copies it (cheaper than re-keying).
    return hmac.new(key, digestmod=hashlib.sha256)


def _fields_of(entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in (*HASHED_FIELDS, *SEALED_FIELDS)}


def compute_hash(
    prev_hash: str,
    fields: Mapping[str, Any] | Any,
    *,
    key_id: str | None = None,
    ring: Keyring | None = None,
) -> str:
    """The hash of an entry with `fields` after `prev_hash`.

    `fields` is a mapping of HASHED_FIELDS or an AuditEntry (whose own `key_id` is then used
    unless one is given). `key_id` None means the current chain key; LEGACY_KEY_ID ("") the
    plain SHA-256 of entries written before the chain was keyed.
    """
    if not isinstance(fields, Mapping):
        if key_id is None:
            key_id = fields.key_id
        fields = _fields_of(fields)
    content = canonical_content(fields)
    if key_id == LEGACY_KEY_ID:
        return hashlib.sha256((prev_hash + content).encode()).hexdigest()
    ring = ring or chain_keyring()
    if key_id is None:
        key_id = ring.current_id
    key = ring.keys.get(key_id)
    if key is None:
        raise ChainKeyError(f"The audit chain key {key_id!r} is not configured.")
    mac = _mac(key).copy()
    mac.update(f"{HASH_FORMAT}\n{key_id}\n{prev_hash}\n{content}".encode())
    return mac.hexdigest()


def key_for_append(head_key_id: str, ring: Keyring) -> str:
    """The key id a new entry is made with: the current one, unless the chain has already
    moved on to a key this process does not hold (its configuration is older than another
    process's, during a key rotation): then it must not write, or the chain would go back to
    an older key (docs/security.md, rotation)."""
    if head_key_id != LEGACY_KEY_ID and ring.rank(head_key_id) is None:
        raise ChainKeyError(
            f"The audit chain already uses key {head_key_id!r}, which this process does not "
            "hold: restart it with the current AUDIT_CHAIN_KEYS."
        )
    return ring.current_id


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The result of walking (part of) the chain. `last_*` describe the last entry checked,
    the one a checkpoint written now would anchor."""

    ok: bool
    checked: int
    broken_id: int | None = None
    problem: str = ""
    legacy: int = 0  # entries hashed with plain SHA-256, before the chain was keyed
    first_id: int | None = None
    last_id: int | None = None
    last_hash: str = GENESIS_HASH
    last_key_id: str = LEGACY_KEY_ID
    checkpoints: int = 0  # checkpoints whose entry was compared


VERIFY_FIELDS = ("prev_hash", "entry_hash", "key_id", *HASHED_FIELDS, *SEALED_FIELDS)


def iterate_entries(qs, fields: Sequence[str], batch: int) -> Iterable[dict]:
    """Rows of `qs` as dicts, oldest first, in keyset batches (no whole log in memory)."""
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last).order_by("id").values("id", *fields)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


class _Walk:
    """Checks entries one after the other; `problem` is set at the first fault."""

    def __init__(self, ring: Keyring, pins: Sequence[Checkpoint]):
        self.ring = ring
        self.legacy_rank = len(ring.order)  # older than every configured key
        self.prev_id: int | None = None
        self.prev_hash = GENESIS_HASH
        self.prev_key_id = LEGACY_KEY_ID
        self.prev_rank = self.legacy_rank
        # A checkpoint of the empty chain (entry_id None) anchors nothing to compare.
        anchored = (c for c in pins if c.entry_id is not None)
        self.pins = sorted(anchored, key=lambda c: (c.entry_id, c.number))
        self.next_pin = 0
        self.pinned = 0
        self.checked = 0
        self.legacy = 0
        self.first_id: int | None = None
        self.broken_id: int | None = None
        self.problem = ""

    def start_at(self, entry_id: int, entry_hash: str, key_id: str) -> None:
        self.prev_id, self.prev_hash, self.prev_key_id = entry_id, entry_hash, key_id
        rank = self.legacy_rank if key_id == LEGACY_KEY_ID else self.ring.rank(key_id)
        self.prev_rank = self.legacy_rank if rank is None else rank

    def _break(self, entry_id: int | None, problem: str) -> bool:
        self.broken_id, self.problem = entry_id, problem
        return False

    def _missing_pins_before(self, entry_id: int | None) -> bool:
        """Checkpoints anchoring entries below `entry_id` (None: any left) that were skipped."""
        while self.next_pin < len(self.pins):
            pin = self.pins[self.next_pin]
            if entry_id is not None and pin.entry_id >= entry_id:
                return True
            where = f"#{self.prev_id}" if self.prev_id is not None else "its start"
            follows = "" if entry_id is None else f", and the next one present is #{entry_id}"
            return self._break(
                pin.entry_id,
                f"entry missing: checkpoint {pin.number} of {pin.at} anchors entry "
                f"#{pin.entry_id}, but the chain goes from {where}{follows} "
                "(entries were removed)",
            )
        return True

    def feed(self, row: Mapping[str, Any]) -> bool:
        entry_id = row["id"]
        if not self._missing_pins_before(entry_id):
            return False
        if row["prev_hash"] != self.prev_hash:
            if self.prev_id is None:
                problem = "entry missing: the first entry does not start the chain"
            elif entry_id != self.prev_id + 1:
                problem = (
                    f"entry missing: the chain breaks between #{self.prev_id} and #{entry_id} "
                    "(an entry between them was removed)"
                )
            else:
                problem = f"chain link broken: prev_hash does not match entry #{self.prev_id}"
            return self._break(entry_id, problem)
        key_id = row["key_id"]
        rank = self.legacy_rank if key_id == LEGACY_KEY_ID else self.ring.rank(key_id)
        if rank is None:
            return self._break(
                entry_id,
                f"made with chain key {key_id!r}, which is not configured (AUDIT_CHAIN_KEYS)",
            )
        if rank > self.prev_rank:
            if key_id == LEGACY_KEY_ID:
                problem = (
                    "unkeyed entry (plain SHA-256) after keyed ones: rewritten by someone "
                    "without the chain key"
                )
            else:
                problem = (
                    f"made with chain key {key_id!r}, older than key {self.prev_key_id!r} "
                    "of the entry before it: rewritten with a retired key"
                )
            return self._break(entry_id, problem)
        if compute_hash(row["prev_hash"], row, key_id=key_id, ring=self.ring) != row["entry_hash"]:
            return self._break(entry_id, "content changed: the entry's hash does not match")
        while self.next_pin < len(self.pins) and self.pins[self.next_pin].entry_id == entry_id:
            pin = self.pins[self.next_pin]
            if pin.entry_hash != row["entry_hash"]:
                return self._break(
                    entry_id,
                    f"rewritten: the entry's hash differs from checkpoint {pin.number} of "
                    f"{pin.at} (this entry or one before it was changed and the chain "
                    "recomputed)",
                )
            self.next_pin += 1
            self.pinned += 1
        if self.first_id is None:
            self.first_id = entry_id
        self.prev_id, self.prev_hash = entry_id, row["entry_hash"]
        self.prev_key_id, self.prev_rank = key_id, rank
        self.checked += 1
        self.legacy += key_id == LEGACY_KEY_ID
        return True

    def report(self) -> ChainReport:
        return ChainReport(
            ok=not self.problem,
            checked=self.checked,
            broken_id=self.broken_id,
            problem=self.problem,
            legacy=self.legacy,
            first_id=self.first_id,
            last_id=self.prev_id,
            last_hash=self.prev_hash,
            last_key_id=self.prev_key_id,
            checkpoints=self.pinned,
        )


def verify_chain(
    batch_size: int = 5000,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    after: Checkpoint | None = None,
    ring: Keyring | None = None,
) -> ChainReport:
    """Walk the chain in id order and stop at the first fault.

    Each entry must link to the previous entry's hash, be made with a configured key no older
    than the previous entry's, and match its hash; every entry a checkpoint names must be
    present with the hash the checkpoint recorded; the chain head must point at the last
    entry. Ids may have gaps (a rolled-back transaction uses up an id), so a gap alone is no
    fault. With `after` (a checkpoint), only the entries after the one it anchors are walked,
    starting from its hash: the hourly check before the next checkpoint.

    The head is read first and the walk stops at it: the head moves in the same transaction
    as the entry it names, so every entry up to it is committed, and entries appended during
    the walk are not mistaken for a cut.
    """
    from .models import AuditChainHead, AuditEntry

    ring = ring or chain_keyring()
    head = AuditChainHead.objects.filter(id=1).values("last_hash", "last_entry_id").first()
    head_id = head["last_entry_id"] if head else None
    walk = _Walk(ring, checkpoints)
    qs = AuditEntry.objects.all()
    if head is not None:
        qs = qs.filter(id__lte=head_id or 0)
    if after is not None and after.entry_id is not None:
        anchored = (
            AuditEntry.objects.filter(id=after.entry_id).values("entry_hash", "key_id").first()
        )
        if anchored is None or anchored["entry_hash"] != after.entry_hash:
            gone = "missing" if anchored is None else "rewritten: its hash differs"
            return ChainReport(
                False,
                0,
                after.entry_id,
                f"entry {gone} from checkpoint {after.number} of {after.at}, which anchors it",
            )
        if head_id is None or head_id < after.entry_id:
            return ChainReport(
                False,
                0,
                after.entry_id,
                f"entry missing: the chain head is at #{head_id}, behind entry "
                f"#{after.entry_id} of checkpoint {after.number} (entries were removed)",
            )
        walk.start_at(after.entry_id, after.entry_hash, after.entry_key_id)
        qs = qs.filter(id__gt=after.entry_id)
        walk.pins = [p for p in walk.pins if p.entry_id > after.entry_id]
    for row in iterate_entries(qs, VERIFY_FIELDS, batch_size):
        if not walk.feed(row):
            return walk.report()
    if not walk._missing_pins_before(None):
        return walk.report()
    if head is None:
        if walk.checked:
            walk._break(walk.prev_id, "chain head missing")
    elif head["last_hash"] != walk.prev_hash or head_id != walk.prev_id:
        walk._break(
            head_id,
            f"entry missing: the chain head expects #{head_id} as the last entry, "
            f"the last one present is #{walk.prev_id}",
        )
    else:
        # Entries past the head read at the start are new, unless the head is behind them
        # now as well: read the newest entry first, then the head again, so that anything
        # committed before the first read is covered by the second (the head only moves on).
        newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        now = AuditChainHead.objects.filter(id=1).values_list("last_entry_id", flat=True).first()
        if newest is not None and newest > (now or 0):
            behind = AuditEntry.objects.filter(id__gt=now or 0).order_by("id").first()
            walk._break(
                behind.pk if behind else newest,
                f"chain head moved back: it names #{now}, but entries up to #{newest} exist",
            )
    return walk.report()
