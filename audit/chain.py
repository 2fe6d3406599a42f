"""The audit log's hash chain: what each entry's hash covers, and the check of the whole chain
(clause 6; docs/security.md, "The audit chain").

The log is a few chains side by side, the **lanes** (`AuditEntry.lane`, settings
AUDIT_CHAIN_LANES), so that writers in different transactions do not queue behind one row:
each transaction appends to a lane no other open transaction holds (audit.services.record).
Within a lane, id order is chain order. Every entry stores `prev_hash` (the previous entry's
`entry_hash` in its lane) and

    entry_hash = HMAC-SHA256(chain key, "v1\\n" + key_id + "\\n" + prev_hash + "\\n" + content)

in lane 1 (the one chain of the log before it had lanes, whose entries keep their hash), and
"v2\\n" + lane + "\\n" + key_id + ... in the other lanes, where `content` is
`canonical_content()` of the entry and `key_id` names the key (audit/keys.py) the entry was
made with, stored on the entry. So the lane is covered too: an entry moved to another lane no
longer matches. The key lives outside the database, so whoever can rewrite the table without
holding it cannot recompute a hash: an edited entry no longer matches, and re-linking the
entries after it is impossible.

Entries written before the chain was keyed (`key_id` empty) keep their plain
`SHA-256(prev_hash + content)`: they are append-only and cannot be re-hashed. They are
accepted only as the beginning of lane 1, before its first keyed entry, and the first keyed
entry's HMAC covers the last legacy hash, which in turn covers every legacy entry: a legacy
entry edited and re-hashed forward with SHA-256 still breaks at the first keyed entry.

Keys are ranked newest first (the current key first). Along each lane the rank never goes
back: an entry made with an older key than the entry before it, or an unkeyed entry after a
keyed one, is reported. So a retired key that leaked cannot be used to rewrite anything
written after the rotation.

Truncating the end of a lane leaves a valid shorter lane, which no hash can reveal: the
checkpoints written outside the database (audit/anchor.py), which name every lane's last
entry, do. `verify_chain` walks all lanes at once in id order (ids are drawn from one
sequence) and compares every entry a checkpoint names with the hash the checkpoint recorded.

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
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import models

from .keys import Keyring, chain_keyring
from .lanes import FIRST_LANE, LaneHead

if TYPE_CHECKING:
    from .anchor import Checkpoint

GENESIS_HASH = "0" * 64
LEGACY_KEY_ID = ""  # entries hashed with plain SHA-256, before the chain was keyed
HASH_FORMAT = "v1"  # lane 1, the chain as it was before lanes
LANE_HASH_FORMAT = "v2"  # the other lanes: the lane is hashed too

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
    return {name: getattr(entry, name) for name in (*HASHED_FIELDS, *SEALED_FIELDS, "lane")}


def compute_hash(
    prev_hash: str,
    fields: Mapping[str, Any] | Any,
    *,
    key_id: str | None = None,
    ring: Keyring | None = None,
) -> str:
    """The hash of an entry with `fields` after `prev_hash`.

    `fields` is a mapping of HASHED_FIELDS (and `lane`, 1 if absent) or an AuditEntry (whose
    own `key_id` is then used unless one is given). `key_id` None means the current chain key;
    LEGACY_KEY_ID ("") the plain SHA-256 of entries written before the chain was keyed, which
    exist in lane 1 only.
    """
    if not isinstance(fields, Mapping):
        if key_id is None:
            key_id = fields.key_id
        fields = _fields_of(fields)
    lane = fields.get("lane") or FIRST_LANE
    content = canonical_content(fields)
    if key_id == LEGACY_KEY_ID:
        if lane != FIRST_LANE:
            raise ChainKeyError("Unkeyed (legacy) entries exist in lane 1 only.")
        return hashlib.sha256((prev_hash + content).encode()).hexdigest()
    ring = ring or chain_keyring()
    if key_id is None:
        key_id = ring.current_id
    key = ring.keys.get(key_id)
    if key is None:
        raise ChainKeyError(f"The audit chain key {key_id!r} is not configured.")
    mac = _mac(key).copy()
    if lane == FIRST_LANE:
        mac.update(f"{HASH_FORMAT}\n{key_id}\n{prev_hash}\n{content}".encode())
    else:
        mac.update(f"{LANE_HASH_FORMAT}\n{lane}\n{key_id}\n{prev_hash}\n{content}".encode())
    return mac.hexdigest()


def key_for_append(head_key_id: str, ring: Keyring, others: Iterable[str] = ()) -> str:
    """The key id a new entry is made with: the current one, unless the chain has already
    moved on to a key this process does not hold (its configuration is older than another
    process's, during a key rotation): then it must not write, or the chain would go back to
    an older key (docs/security.md, rotation). `head_key_id` is the key of the lane's last
    entry (where going back would break the chain); `others` those of the other lanes (a
    process with an old configuration stops at the first entry any lane has under a newer
    key, not only once it meets that lane)."""
    for used in (head_key_id, *others):
        if used != LEGACY_KEY_ID and ring.rank(used) is None:
            raise ChainKeyError(
                f"The audit chain already uses key {used!r}, which this process does not "
                "hold: restart it with the current AUDIT_CHAIN_KEYS."
            )
    return ring.current_id


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The result of walking (part of) the chain. `lanes` are the last entry checked in each
    lane, what a checkpoint written now would anchor; `last_*` the newest of them."""

    ok: bool
    checked: int
    broken_id: int | None = None
    problem: str = ""
    legacy: int = 0  # entries hashed with plain SHA-256, before the chain was keyed
    first_id: int | None = None
    last_id: int | None = None
    last_hash: str = GENESIS_HASH
    last_key_id: str = LEGACY_KEY_ID
    checkpoints: int = 0  # checkpoints whose entries were compared
    lanes: tuple[LaneHead, ...] = ()


VERIFY_FIELDS = ("lane", "prev_hash", "entry_hash", "key_id", *HASHED_FIELDS, *SEALED_FIELDS)


def iterate_entries(qs, fields: Sequence[str], batch: int) -> Iterable[dict]:
    """Rows of `qs` as dicts, oldest first, in keyset batches (no whole log in memory)."""
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last).order_by("id").values("id", *fields)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


def _in_lane(lane: int) -> str:
    return "" if lane == FIRST_LANE else f" of lane {lane}"


class _Pin(NamedTuple):
    entry_id: int
    number: int
    lane: int
    entry_hash: str
    at: str


class _Lane:
    """Where the walk stands in one lane."""

    def __init__(self, rank: int, limit: int | None):
        self.prev_id: int | None = None
        self.prev_hash = GENESIS_HASH
        self.prev_key_id = LEGACY_KEY_ID
        self.prev_rank = rank
        self.read_before = 0  # rows the walk had read when it took prev
        self.limit = limit  # the lane's head when the walk began: rows after it are new
        self.newest: int | None = None  # newest id read in the lane, past the head or not


class _Walk:
    """Checks entries one after the other, each against the one before it in its lane;
    `problem` is set at the first fault. `limits`: each lane's head entry id (0: none yet)
    when the walk began."""

    def __init__(self, ring: Keyring, pins: Sequence[Checkpoint], limits: Mapping[int, int]):
        self.ring = ring
        self.legacy_rank = len(ring.order)  # older than every configured key
        self.limits = limits
        self.lanes: dict[int, _Lane] = {}
        # A checkpoint of the empty chain anchors nothing to compare.
        anchored = (
            _Pin(mark.entry_id, c.number, mark.lane, mark.entry_hash, c.at)
            for c in pins
            for mark in c.lanes
        )
        self.pins = sorted(anchored)
        self.next_pin = 0
        self.pinned: set[int] = set()  # numbers of the checkpoints met
        self.read = 0
        self.checked = 0
        self.legacy = 0
        self.first_id: int | None = None
        self.broken_id: int | None = None
        self.problem = ""

    def lane(self, number: int) -> _Lane:
        if number not in self.lanes:
            self.lanes[number] = _Lane(self.legacy_rank, self.limits.get(number))
        return self.lanes[number]

    def start_at(self, mark: LaneHead) -> None:
        """Continue `mark.lane` after an entry checked before (a checkpoint's)."""
        lane = self.lane(mark.lane)
        lane.prev_id, lane.prev_hash, lane.prev_key_id = mark.entry_id, mark.entry_hash, mark.key_id
        rank = self.legacy_rank if mark.key_id == LEGACY_KEY_ID else self.ring.rank(mark.key_id)
        lane.prev_rank = self.legacy_rank if rank is None else rank
        self.pins = [p for p in self.pins if p.lane != mark.lane or p.entry_id > mark.entry_id]

    def _break(self, entry_id: int | None, problem: str) -> bool:
        self.broken_id, self.problem = entry_id, problem
        return False

    def missing_pins_before(self, entry_id: int | None) -> bool:
        """Checkpoint entries below `entry_id` (None: any left) that were not met."""
        while self.next_pin < len(self.pins):
            pin = self.pins[self.next_pin]
            if entry_id is not None and pin.entry_id >= entry_id:
                return True
            prev_id = self.lane(pin.lane).prev_id
            where = f"#{prev_id}" if prev_id is not None else "its start"
            follows = "" if entry_id is None else f", and the next entry present is #{entry_id}"
            return self._break(
                pin.entry_id,
                f"entry missing: checkpoint {pin.number} of {pin.at} anchors entry "
                f"#{pin.entry_id}, but the chain goes from {where}{_in_lane(pin.lane)}{follows} "
                "(entries were removed)",
            )
        return True

    def _past_head(self, entry_id: int, number: int, lane: _Lane) -> bool:
        # Appended after the walk began (or the head was moved back: checked at the end).
        if not self.missing_pins_before(entry_id):
            return False
        if self.next_pin < len(self.pins) and self.pins[self.next_pin].entry_id == entry_id:
            pin = self.pins[self.next_pin]
            return self._break(
                entry_id,
                f"chain head moved back: the head{_in_lane(number)} names #{lane.limit}, "
                f"before entry #{entry_id} that checkpoint {pin.number} of {pin.at} anchors",
            )
        return True

    def _link_fault(self, entry_id: int, number: int, lane: _Lane) -> str:
        if lane.prev_id is None:
            return f"entry missing: the first entry{_in_lane(number)} does not start the chain"
        # Ids between the two that the walk never read: an entry was removed (or a
        # transaction rolled back). All read: the link itself was changed.
        if entry_id - lane.prev_id - 1 > self.read - 1 - lane.read_before:
            return (
                f"entry missing: the chain{_in_lane(number)} breaks between #{lane.prev_id} "
                f"and #{entry_id} (an entry between them was removed)"
            )
        return f"chain link broken: prev_hash does not match entry #{lane.prev_id}"

    def feed(self, row: Mapping[str, Any]) -> bool:
        entry_id, number = row["id"], row["lane"]
        self.read += 1
        lane = self.lane(number)
        lane.newest = entry_id
        if lane.limit is not None and entry_id > lane.limit:
            return self._past_head(entry_id, number, lane)
        if not self.missing_pins_before(entry_id):
            return False
        if row["prev_hash"] != lane.prev_hash:
            return self._break(entry_id, self._link_fault(entry_id, number, lane))
        key_id = row["key_id"]
        rank = self.legacy_rank if key_id == LEGACY_KEY_ID else self.ring.rank(key_id)
        if rank is None:
            return self._break(
                entry_id,
                f"made with chain key {key_id!r}, which is not configured (AUDIT_CHAIN_KEYS)",
            )
        if key_id == LEGACY_KEY_ID and number != FIRST_LANE:
            return self._break(
                entry_id,
                f"unkeyed entry (plain SHA-256) in lane {number}: only lane 1 holds entries "
                "from before the chain was keyed",
            )
        if rank > lane.prev_rank:
            if key_id == LEGACY_KEY_ID:
                problem = (
                    "unkeyed entry (plain SHA-256) after keyed ones: rewritten by someone "
                    "without the chain key"
                )
            else:
                problem = (
                    f"made with chain key {key_id!r}, older than key {lane.prev_key_id!r} "
                    "of the entry before it: rewritten with a retired key"
                )
            return self._break(entry_id, problem)
        if compute_hash(row["prev_hash"], row, key_id=key_id, ring=self.ring) != row["entry_hash"]:
            return self._break(entry_id, "content changed: the entry's hash does not match")
        while self.next_pin < len(self.pins) and self.pins[self.next_pin].entry_id == entry_id:
            pin = self.pins[self.next_pin]
            if pin.entry_hash != row["entry_hash"] or pin.lane != number:
                return self._break(
                    entry_id,
                    f"rewritten: the entry's hash differs from checkpoint {pin.number} of "
                    f"{pin.at} (this entry or one before it was changed and the chain "
                    "recomputed)",
                )
            self.next_pin += 1
            self.pinned.add(pin.number)
        if self.first_id is None:
            self.first_id = entry_id
        lane.prev_id, lane.prev_hash = entry_id, row["entry_hash"]
        lane.prev_key_id, lane.prev_rank = key_id, rank
        lane.read_before = self.read
        self.checked += 1
        self.legacy += key_id == LEGACY_KEY_ID
        return True

    def report(self) -> ChainReport:
        heads = tuple(
            LaneHead(number, lane.prev_id, lane.prev_hash, lane.prev_key_id)
            for number, lane in sorted(self.lanes.items())
            if lane.prev_id is not None
        )
        last = max(heads, key=lambda h: h.entry_id, default=None)
        return ChainReport(
            ok=not self.problem,
            checked=self.checked,
            broken_id=self.broken_id,
            problem=self.problem,
            legacy=self.legacy,
            first_id=self.first_id,
            last_id=last.entry_id if last else None,
            last_hash=last.entry_hash if last else GENESIS_HASH,
            last_key_id=last.key_id if last else LEGACY_KEY_ID,
            checkpoints=len(self.pinned),
            lanes=heads,
        )


def _start_after(walk: _Walk, after: Checkpoint, heads: Mapping[int, dict], qs):
    """Start each lane `after` anchors at its anchored entry, which must still be there with
    the same hash and at or before the lane's head. The rows left to walk, or a ChainReport
    of the fault."""
    from .models import AuditEntry

    marks = after.lanes
    found = {
        row["id"]: row
        for row in AuditEntry.objects.filter(id__in=[m.entry_id for m in marks]).values(
            "id", "entry_hash", "lane"
        )
    }
    for mark in marks:
        row = found.get(mark.entry_id)
        if row is None or row["entry_hash"] != mark.entry_hash or row["lane"] != mark.lane:
            gone = "missing" if row is None else "rewritten: its hash differs"
            return ChainReport(
                False,
                0,
                mark.entry_id,
                f"entry {gone} from checkpoint {after.number} of {after.at}, which anchors it",
            )
        head_id = heads[mark.lane]["last_entry_id"] if mark.lane in heads else None
        if head_id is None or head_id < mark.entry_id:
            return ChainReport(
                False,
                0,
                mark.entry_id,
                f"entry missing: the chain head{_in_lane(mark.lane)} is at #{head_id}, behind "
                f"entry #{mark.entry_id} of checkpoint {after.number} (entries were removed)",
            )
        walk.start_at(mark)
    # Only what each lane appended since its anchored entry; a lane the checkpoint does not
    # name (new since) from its start. Lanes that have not moved need no reading at all.
    anchored = {mark.lane: mark.entry_id for mark in marks}
    moved = [n for lane, n in anchored.items() if heads[lane]["last_entry_id"] != n]
    if any(h["last_entry_id"] is not None for n, h in heads.items() if n not in anchored):
        lowest = 0
    else:
        lowest = min(moved, default=max(h["last_entry_id"] or 0 for h in heads.values()))
    since = ~models.Q(lane__in=list(anchored))
    for lane, entry_id in anchored.items():
        since |= models.Q(lane=lane, id__gt=entry_id)
    return qs.filter(since, id__gt=lowest)


def _check_heads(walk: _Walk, heads: Mapping[int, dict], read_up_to: int) -> None:
    """After the walk: every lane's head (as read before it) names the lane's last entry, and
    no lane has entries past its head (as read now)."""
    from .models import AuditChainHead, AuditEntry

    for number, head in sorted(heads.items()):
        lane = walk.lane(number)
        if head["last_hash"] != lane.prev_hash or head["last_entry_id"] != lane.prev_id:
            walk._break(
                head["last_entry_id"],
                f"entry missing: the chain head{_in_lane(number)} expects "
                f"#{head['last_entry_id']} as the last entry, the last one present is "
                f"#{lane.prev_id}",
            )
            return
    # Entries past the heads read at the start are new, unless a head is behind them now as
    # well: read the newest entry of each lane first, then the heads again, so that anything
    # committed before the first read is covered by the second (heads only move on).
    newest = {n: lane.newest for n, lane in walk.lanes.items() if lane.newest is not None}
    later = (
        AuditEntry.objects.filter(id__gt=read_up_to)
        .values("lane")
        .annotate(newest=models.Max("id"))
        .values_list("lane", "newest")
    )
    for number, entry_id in later:
        newest[number] = max(entry_id, newest.get(number) or 0)
    now = dict(AuditChainHead.objects.values_list("id", "last_entry_id"))
    for number, entry_id in sorted(newest.items()):
        if number not in now:
            walk._break(entry_id, f"chain head{_in_lane(number)} missing")
            return
        if entry_id > (now[number] or 0):
            behind = (
                AuditEntry.objects.filter(lane=number, id__gt=now[number] or 0)
                .order_by("id")
                .values_list("id", flat=True)
                .first()
            )
            walk._break(
                behind or entry_id,
                f"chain head moved back: it names #{now[number]}, but entries up to "
                f"#{entry_id}{_in_lane(number)} exist",
            )
            return


def verify_chain(
    batch_size: int = 5000,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    after: Checkpoint | None = None,
    ring: Keyring | None = None,
) -> ChainReport:
    """Walk all lanes in id order and stop at the first fault.

    Each entry must link to the previous entry's hash in its lane, be made with a configured
    key no older than that entry's, and match its hash; every entry a checkpoint names must
    be present, in its lane, with the hash the checkpoint recorded; each lane's head must
    point at the lane's last entry. Ids may have gaps (a rolled-back transaction uses up an
    id), so a gap alone is no fault. With `after` (a checkpoint), only the entries after the
    ones it anchors are walked, starting from their hashes: the hourly check before the next
    checkpoint.

    The heads are read first and each lane's walk stops at its head: a head moves in the
    same transaction as the entry it names, so every entry up to it is committed, and
    entries appended during the walk are not mistaken for a cut.
    """
    from .models import AuditChainHead, AuditEntry

    ring = ring or chain_keyring()
    heads = {
        head["id"]: head
        for head in AuditChainHead.objects.values("id", "last_hash", "last_entry_id")
    }
    limits = {number: head["last_entry_id"] or 0 for number, head in heads.items()}
    walk = _Walk(ring, checkpoints, limits)
    qs = AuditEntry.objects.all()
    if heads:
        qs = qs.filter(id__lte=max(limits.values()))
    if after is not None and after.lanes:
        started = _start_after(walk, after, heads, qs)
        if isinstance(started, ChainReport):
            return started
        qs = started
    read_up_to = max(limits.values(), default=0)
    for row in iterate_entries(qs, VERIFY_FIELDS, batch_size):
        read_up_to = max(read_up_to, row["id"])
        if not walk.feed(row):
            return walk.report()
    if walk.missing_pins_before(None):
        _check_heads(walk, heads, read_up_to)
    return walk.report()
