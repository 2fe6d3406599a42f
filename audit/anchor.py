"""Checkpoints of the audit chain, kept where the database administrator cannot reach them
(clause 6; docs/security.md, "Anchoring").

Every hour (beat `audit-checkpoint`) the heads of the chain's lanes (each lane's last entry:
id, hash and key id; audit/chain.py) are signed with the anchor key (Ed25519, audit/keys.py)
and appended as one line of JSON to `AUDIT_ANCHOR_PATH/audit-checkpoints.jsonl`: a
directory on a volume that the database server does not mount. Each line also carries its
number and the SHA-256 of the line before it, so lines removed from or changed in the middle
of the file are found, and the signature means that no one without the anchor key can write
a line that verifies. The latest checkpoint of each day is also emailed to the trust
administrators, a copy out of everyone's reach.

A line, with the signature over the canonical JSON of every other field:

    {"at":"2026-11-24T10:05:00.000000+00:00","entry_hash":"…","entry_id":123,
     "entry_key_id":"k1","key_id":"a1","lanes":[[1,123,"…","k1"],[2,120,"…","k1"]],
     "number":17,"prev":"<sha256 of line 16>","sig":"…","v":2}

`lanes` holds [lane, entry id, entry hash, key id] for every lane that has entries;
`entry_*` repeat the newest of them. Lines of format 1, written before the chain had lanes,
have no `lanes`: they anchor their `entry_*` in lane 1, and still verify.

Ed25519 rather than an HMAC: the public half checks a checkpoint (an emailed one included)
anywhere without being able to make one, and the signing key can be held by the processes
that write checkpoints alone, apart from the chain key every web process needs.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone

from .keys import Keyring, anchor_keyring
from .lanes import FIRST_LANE, LaneHead

FILE_NAME = "audit-checkpoints.jsonl"
FORMAT = 2  # with `lanes`
SINGLE_CHAIN_FORMAT = 1  # before the lanes: `entry_*` anchor lane 1
NO_PREVIOUS = "0" * 64
_FIELDS = {"v", "number", "entry_id", "entry_hash", "entry_key_id", "at", "prev", "key_id", "sig"}
_FIELDS_BY_FORMAT = {SINGLE_CHAIN_FORMAT: _FIELDS, FORMAT: _FIELDS | {"lanes"}}


class AnchorError(Exception):
    """The checkpoint file cannot be trusted or used: says where and why, never a key."""


@dataclass(frozen=True)
class Checkpoint:
    number: int
    entry_id: int | None  # None: the chain was empty
    entry_hash: str
    entry_key_id: str
    at: str  # ISO 8601, UTC, as written
    prev: str
    key_id: str
    sig: str
    line: str
    lanes: tuple[LaneHead, ...] = ()  # every lane's anchored entry, by lane

    @property
    def digest(self) -> str:
        """What the next checkpoint's `prev` must be."""
        return hashlib.sha256(self.line.encode()).hexdigest()

    @property
    def at_datetime(self) -> datetime:
        return datetime.fromisoformat(self.at)


def anchor_file() -> Path | None:
    """The checkpoint file, or None where anchoring is not configured (development, tests)."""
    directory = getattr(settings, "AUDIT_ANCHOR_PATH", "")
    return Path(directory) / FILE_NAME if directory else None


def _signed_bytes(fields: dict) -> bytes:
    body = {k: v for k, v in fields.items() if k != "sig"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def public_key(seed: bytes) -> Ed25519PublicKey:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key()


def public_keys(ring: Keyring | None = None) -> dict[str, str]:
    """Key id -> base64 of the raw 32-byte Ed25519 public key, to verify checkpoints with."""
    ring = ring or anchor_keyring()
    return {
        key_id: base64.b64encode(public_key(ring.keys[key_id]).public_bytes_raw()).decode()
        for key_id in ring.order
    }


def sign(
    *,
    number: int,
    entry_id: int | None,
    entry_hash: str,
    entry_key_id: str,
    prev: str,
    at: datetime | None = None,
    ring: Keyring | None = None,
    lanes: Iterable[LaneHead] | None = None,
) -> Checkpoint:
    """A signed checkpoint; with `lanes` (as written now) of format 2, whose `entry_*` must
    be the newest lane's, without them of format 1."""
    ring = ring or anchor_keyring()
    fields: dict = {
        "v": FORMAT if lanes is not None else SINGLE_CHAIN_FORMAT,
        "number": number,
        "entry_id": entry_id,
        "entry_hash": entry_hash,
        "entry_key_id": entry_key_id,
        "at": (at or timezone.now()).astimezone(UTC).isoformat(timespec="microseconds"),
        "prev": prev,
        "key_id": ring.current_id,
    }
    if lanes is not None:
        fields["lanes"] = [list(mark) for mark in sorted(lanes)]
    private = Ed25519PrivateKey.from_private_bytes(ring.keys[ring.current_id])
    fields["sig"] = base64.b64encode(private.sign(_signed_bytes(fields))).decode()
    line = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return _checkpoint(fields, line)


def _lanes_of(fields: dict) -> tuple[LaneHead, ...]:
    if "lanes" in fields:
        return tuple(LaneHead(*mark) for mark in fields["lanes"])
    if fields["entry_id"] is None:
        return ()
    return (LaneHead(FIRST_LANE, fields["entry_id"], fields["entry_hash"], fields["entry_key_id"]),)


def _lanes_ok(fields: dict) -> bool:
    """`lanes` well formed (format 2): one mark per lane, in order, and `entry_*` the newest."""
    if "lanes" not in fields:
        return True
    marks = fields["lanes"]
    if not isinstance(marks, list) or not all(
        isinstance(m, list)
        and len(m) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) for v in m[:2])
        and all(isinstance(v, str) for v in m[2:])
        for m in marks
    ):
        return False
    numbers = [m[0] for m in marks]
    if numbers != sorted(set(numbers)) or any(n < FIRST_LANE for n in numbers):
        return False
    newest = max(marks, key=lambda m: m[1], default=None)
    if newest is None:
        return fields["entry_id"] is None
    return [fields["entry_id"], fields["entry_hash"], fields["entry_key_id"]] == newest[1:]


def _checkpoint(fields: dict, line: str) -> Checkpoint:
    return Checkpoint(
        number=fields["number"],
        entry_id=fields["entry_id"],
        entry_hash=fields["entry_hash"],
        entry_key_id=fields["entry_key_id"],
        at=fields["at"],
        prev=fields["prev"],
        key_id=fields["key_id"],
        sig=fields["sig"],
        line=line,
        lanes=_lanes_of(fields),
    )


def parse(line: str, *, ring: Keyring | None = None, where: str = "checkpoint") -> Checkpoint:
    """One checkpoint line, its signature checked. AnchorError says what is wrong with it."""
    ring = ring or anchor_keyring()
    try:
        fields = json.loads(line)
    except ValueError:
        raise AnchorError(f"{where}: not a checkpoint (not JSON)") from None
    if not isinstance(fields, dict) or set(fields) != _FIELDS_BY_FORMAT.get(fields.get("v")):
        raise AnchorError(f"{where}: not a checkpoint of format {FORMAT} or {SINGLE_CHAIN_FORMAT}")
    types_ok = (
        isinstance(fields["number"], int)
        and (fields["entry_id"] is None or isinstance(fields["entry_id"], int))
        and all(
            isinstance(fields[k], str)
            for k in ("entry_hash", "entry_key_id", "at", "prev", "key_id", "sig")
        )
    )
    if not types_ok:
        raise AnchorError(f"{where}: a field has the wrong type")
    seed = ring.keys.get(fields["key_id"])
    if seed is None:
        raise AnchorError(
            f"{where}: signed with anchor key {fields['key_id']!r}, which is not configured "
            "(AUDIT_ANCHOR_KEYS)"
        )
    try:
        signature = base64.b64decode(fields["sig"], validate=True)
        public_key(seed).verify(signature, _signed_bytes(fields))
        datetime.fromisoformat(fields["at"])
    except (InvalidSignature, ValueError):
        raise AnchorError(
            f"{where}: the signature does not verify (the line was changed)"
        ) from None
    if not _lanes_ok(fields):  # signed, so written wrong rather than changed
        raise AnchorError(f"{where}: its lanes do not agree with its entry")
    return _checkpoint(fields, line)


def read_file(path: Path, *, ring: Keyring | None = None) -> list[Checkpoint]:
    """Every checkpoint of the anchor file, checked as a whole: each signature, numbers from 1
    without a gap, each line linked to the one before, entries never going back."""
    ring = ring or anchor_keyring()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"{path.name}: cannot be read ({exc})") from None
    if text and not text.endswith("\n"):
        raise AnchorError(f"{path.name}: ends in a partial line (a write was interrupted)")
    found: list[Checkpoint] = []
    for n, line in enumerate(text.splitlines(), start=1):
        cp = parse(line, ring=ring, where=f"{path.name} line {n}")
        _follows(found[-1] if found else None, cp, where=f"{path.name} line {n}")
        found.append(cp)
    return found


def _follows(previous: Checkpoint | None, cp: Checkpoint, *, where: str) -> None:
    expected = previous.number + 1 if previous else 1
    if cp.number != expected:
        raise AnchorError(f"{where}: checkpoint {cp.number} where {expected} was expected")
    if cp.prev != (previous.digest if previous else NO_PREVIOUS):
        raise AnchorError(f"{where}: does not follow the line before it (a line was removed)")
    if previous and (previous.entry_id or 0) > (cp.entry_id or 0):
        raise AnchorError(f"{where}: anchors an entry before the previous checkpoint's")
    if previous:
        now = {mark.lane: mark.entry_id for mark in cp.lanes}
        for mark in previous.lanes:
            if now.get(mark.lane, 0) < mark.entry_id:
                raise AnchorError(
                    f"{where}: anchors lane {mark.lane} before the previous checkpoint's"
                )


def read_loose(lines: Iterable[str], *, ring: Keyring | None = None) -> list[Checkpoint]:
    """Checkpoints kept elsewhere (copied from the emails), each checked on its own signature."""
    ring = ring or anchor_keyring()
    return [
        parse(line.strip(), ring=ring, where=f"line {n}")
        for n, line in enumerate(lines, start=1)
        if line.strip()
    ]


def _last_line(fh) -> str | None:
    """The file's last line, read backwards from its end (the file grows without bound)."""
    end = fh.seek(0, os.SEEK_END)
    if end == 0:
        return None
    block, data = 4096, b""
    pos = end
    while pos > 0:
        step = min(block, pos)
        pos -= step
        fh.seek(pos)
        data = fh.read(step) + data
        if data.count(b"\n") >= 2 or pos == 0:
            break
    if not data.endswith(b"\n"):
        raise AnchorError(f"{FILE_NAME}: ends in a partial line (a write was interrupted)")
    return data[:-1].rsplit(b"\n", 1)[-1].decode("ascii")


class _OpenAnchor:
    def __init__(self, fh, path: Path, ring: Keyring):
        self.fh, self.path, self.ring = fh, path, ring
        line = _last_line(fh)
        self.last = parse(line, ring=ring, where=f"{FILE_NAME} last line") if line else None

    def append(self, *, lanes: Iterable[LaneHead]) -> Checkpoint:
        """Sign and append a checkpoint of these lane heads (the newest one is `entry_*`)."""
        previous = self.last
        lanes = tuple(lanes)
        newest = max(lanes, key=lambda mark: mark.entry_id, default=None)
        cp = sign(
            number=previous.number + 1 if previous else 1,
            entry_id=newest.entry_id if newest else None,
            entry_hash=newest.entry_hash if newest else NO_PREVIOUS,
            entry_key_id=newest.key_id if newest else "",
            prev=previous.digest if previous else NO_PREVIOUS,
            ring=self.ring,
            lanes=lanes,
        )
        _follows(previous, cp, where="new checkpoint")
        self.fh.seek(0, os.SEEK_END)
        self.fh.write(cp.line.encode("ascii") + b"\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.last = cp
        return cp


@contextmanager
def opened(path: Path, *, ring: Keyring | None = None) -> Iterator[_OpenAnchor]:
    """The anchor file, locked for this process (flock) until the block ends, so that two
    checkpoint runs never write the same number. Created (mode 0640) if missing."""
    ring = ring or anchor_keyring()
    if not path.parent.is_dir():
        raise AnchorError(f"AUDIT_ANCHOR_PATH {path.parent} is not a directory")
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "r+b", buffering=0) as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            if created:  # the new name must survive a crash too
                dir_fd = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
            yield _OpenAnchor(fh, path, ring)
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
