"""The one entry point that writes the audit log (clause 6: monitoring and accountability)."""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import anchor
from . import personal as personal_data
from .chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    ChainReport,
    canonical_ip,
    compute_hash,
    key_for_append,
    verify_chain,
)
from .keys import chain_keyring
from .masking import mask
from .models import AuditEntry, ChainCheck
from .proxies import is_trusted_proxy
from .signals import chain_checked, change_committed

ACTION_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_canonical_ip = canonical_ip


def _ip_from_meta(meta: Mapping[str, Any]) -> str | None:
    candidate = meta.get("REMOTE_ADDR")
    hops = getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0)
    forwarded = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if hops > 0 and len(forwarded) >= hops and is_trusted_proxy(candidate):
        candidate = forwarded[-hops]
    try:
        return _canonical_ip(candidate)
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person making the request, for `record(..., ip_address=...)`.

    REMOTE_ADDR, unless settings.AUDIT_TRUSTED_PROXY_COUNT says that many reverse proxies of
    ours stand in front and the connection comes from one of settings.AUDIT_TRUSTED_PROXIES
    (audit/proxies.py): then the address the outermost of them saw, i.e. the entry that many
    places from the right of X-Forwarded-For. Entries further left were written by the client
    and prove nothing.
    """
    if request is None:
        return None
    return _ip_from_meta(getattr(request, "META", {}))


# The address of the request being handled (set by audit.receivers on request_started), so
# that entries written deep inside a service, such as a denied access, still carry it.
_request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)
# And its path, for entries that may record only what the requester sent (a denied lookup).
_request_path: ContextVar[str] = ContextVar("audit_request_path", default="")


def remember_request_ip(meta: Mapping[str, Any] | None) -> None:
    _request_ip.set(_ip_from_meta(meta) if meta else None)
    _request_path.set(str((meta or {}).get("PATH_INFO") or "")[:300])


def request_path() -> str:
    """The path of the request being handled ("" outside a request)."""
    return _request_path.get()


# --- the chain's lanes ---------------------------------------------------------------------
#
# Each transaction that records appends to one lane (an AuditChainHead row), locked until it
# ends, so id order is chain order within the lane; the other lanes stay open to other
# transactions (audit/chain.py). The lane a transaction holds is kept in a transaction-local
# setting, so its later entries join the same lane, in order, and it never waits for a second
# lane while holding one (no deadlock between two writers). Lanes are created when first
# needed, up to AUDIT_CHAIN_LANES.

_LANE_SETTING = "audit.lane"
_LANE_LOCKS = 0x4C414E45  # advisory lock class of "a lane is being created" (two-key form)
_LANE_COLUMNS = "id, last_hash, last_entry_id, last_key_id"
# Every statement that takes a lane also remembers it and reads the other lanes' key ids.
_TAKEN = f"""
    SELECT {_LANE_COLUMNS}, set_config('{_LANE_SETTING}', id::text, true),
        ARRAY(SELECT DISTINCT last_key_id FROM audit_auditchainhead) FROM lane"""
# The lane this transaction holds if any (its own lock does not skip it), else the first one
# no other transaction holds.
_FREE_LANE = f"""
WITH lane AS MATERIALIZED (
    SELECT {_LANE_COLUMNS} FROM audit_auditchainhead WHERE id <= %s
    ORDER BY id = COALESCE(NULLIF(current_setting('{_LANE_SETTING}', true), '')::int, 0) DESC, id
    LIMIT 1 FOR UPDATE SKIP LOCKED
){_TAKEN}"""
# A lane not created yet, unless another transaction is creating it (its advisory lock):
# never waits.
_NEW_LANE = f"""
WITH lane AS (
    INSERT INTO audit_auditchainhead ({_LANE_COLUMNS})
    SELECT n, %s, NULL, '' FROM generate_series(1, %s) n
    WHERE NOT EXISTS (SELECT 1 FROM audit_auditchainhead h WHERE h.id = n)
        AND pg_try_advisory_xact_lock({_LANE_LOCKS}, n)
    LIMIT 1
    ON CONFLICT (id) DO NOTHING
    RETURNING {_LANE_COLUMNS}
){_TAKEN}"""
# Every lane busy: wait for one (this one waits while another transaction creates it).
_CREATE_LANE = f"""
WITH creating AS MATERIALIZED (SELECT pg_advisory_xact_lock({_LANE_LOCKS}, %s)), lane AS (
    INSERT INTO audit_auditchainhead ({_LANE_COLUMNS})
    SELECT %s, %s, NULL, '' FROM creating
    ON CONFLICT (id) DO NOTHING RETURNING {_LANE_COLUMNS}
){_TAKEN}"""
_WAIT_FOR_LANE = f"""
WITH lane AS MATERIALIZED (
    SELECT {_LANE_COLUMNS} FROM audit_auditchainhead WHERE id = %s FOR UPDATE
){_TAKEN}"""


def chain_lanes() -> int:
    return max(1, int(getattr(settings, "AUDIT_CHAIN_LANES", 8)))


def _take_lane(cur) -> tuple:
    """Lock a lane for this transaction: (id, last_hash, last_entry_id, last_key_id, _, key
    ids of all lanes). Without waiting if this transaction holds one already, or one is free,
    or one can be created; else waits for one chosen at random."""
    lanes = chain_lanes()
    cur.execute(_FREE_LANE, [lanes])
    row = cur.fetchone()
    if row is None:
        cur.execute(_NEW_LANE, [GENESIS_HASH, lanes])
        row = cur.fetchone()
    if row is None:
        lane = random.randint(1, lanes)  # noqa: S311 - spreads waiters, not a secret
        cur.execute(_WAIT_FOR_LANE, [lane])
        row = cur.fetchone()
        if row is None:  # being created by another transaction: wait for it, then lock it
            cur.execute(_CREATE_LANE, [lane, lane, GENESIS_HASH])
            row = cur.fetchone()
            if row is None:
                cur.execute(_WAIT_FOR_LANE, [lane])
                row = cur.fetchone()
    if row is None:
        raise RuntimeError(f"Audit chain lane {lane} vanished while waiting for it.")
    return row


def _move_head(cur, lane: int, entry_id: int | None, entry_hash: str, key_id: str) -> None:
    cur.execute(
        "UPDATE audit_auditchainhead SET last_hash = %s, last_entry_id = %s, last_key_id = %s "
        "WHERE id = %s",
        [entry_hash, entry_id, key_id, lane],
    )


def record(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    school=None,
    data: dict[str, Any] | None = None,
    *,
    ip_address: str | None = None,
    personal: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `action` is a namespaced code such as `account.approved`.

    Secret-looking keys in `data` are masked before anything is stored. Without `ip_address`,
    the address of the request being handled (if any) is used. Joins the caller's
    transaction: if the change it records rolls back, so does the entry. Entries written at
    the same time still form chains: the transaction takes a lane of the chain (audit/chain.py)
    that no other open transaction holds, and keeps it, locked, until it ends; the id is drawn
    after the lock, so id order is chain order within the lane. Other transactions append to
    the other lanes meanwhile; only when all AUDIT_CHAIN_LANES are held does one wait. Still,
    call record() after the change, at the end of the service.
    The entry's hash is keyed with the current chain key (audit/chain.py): no extra round trip.

    Personal data (issue 19, audit/personal.py): when `target` belongs to a registered data
    subject, its display text, and any `personal` values, are stored only encrypted under that
    subject's key (one more round trip for the key), so they end when the subject's records
    are disposed of; `data` must then hold ids and facts, never names.
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
    subject = personal_data.subject_of(target)
    if personal and not subject:
        raise ValueError("Personal values need a target that belongs to a data subject.")
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
    if subject:
        sealed_values = {"target_repr": entry.target_repr, **mask(dict(personal or {}))}
        entry.subject = subject[:100]
        entry.sealed = personal_data.seal(entry.subject, sealed_values)
        entry.target_repr = personal_data.neutral_label(target)
    ring = chain_keyring()
    # No savepoint of its own inside the caller's transaction (it would cost two more round
    # trips per entry): an entry that fails to be written fails the whole change anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        lane, last_hash, _, last_key_id, _, key_ids = _take_lane(cur)
        # Stamped under the lock, so time order follows chain (and id) order in the lane.
        entry.created_at = timezone.now()
        entry.lane = lane
        entry.key_id = key_for_append(last_key_id, ring, key_ids)
        entry.prev_hash = last_hash
        entry.entry_hash = compute_hash(last_hash, entry, key_id=entry.key_id, ring=ring)
        entry.save(force_insert=True)
        _move_head(cur, lane, entry.pk, entry.entry_hash, entry.key_id)
    if actor is not None:
        sent = {"actor_id": actor.pk, "action": action, "school_id": entry.school_id}
        # robust: the change is committed by then; a receiver's failure must not turn it into
        # an error page (it is logged).
        transaction.on_commit(lambda: change_committed.send(sender=AuditEntry, **sent), robust=True)
    return entry


# Columns record_many() writes with COPY, in this order.
_COPY_COLUMNS = (*HASHED_FIELDS, "lane", "key_id", "prev_hash", "entry_hash")


def _copy_field(value: Any) -> str:
    # COPY's csv format reads an unquoted empty field as NULL (no actor, school or address)
    # and a quoted one as an empty string, so every value is quoted and None is left empty.
    if value is None:
        return ""
    return '"' + str(value).replace('"', '""') + '"'


def record_many(
    entries: Iterable[Mapping[str, Any]],
    *,
    batch_size: int = 100_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append many ready-made entries to the chain at once, with the hashes record() would
    give them; returns how many. For data sets built in bulk (the benchmark seed,
    audit/scale.py), where one record() per row would take hours. PostgreSQL only.

    Each mapping holds the HASHED_FIELDS: `created_at` (aware datetime), `actor_id`,
    `actor_name`, `actor_email`, `action`, `target_type`, `target_id`, `target_repr`,
    `school_id`, `data` (a dict, masked as record() masks it) and `ip_address`. Joins the
    caller's transaction and holds a lane of the chain until it ends, like record(); rows are
    streamed with COPY in batches, so ids come from the sequence in row order: chain order.
    `progress(done)` is called after each batch.
    """
    ring = chain_keyring()
    done = 0
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        lane, prev, _, last_key_id, _, key_ids = _take_lane(cur)
        key_id = key_for_append(last_key_id, ring, key_ids)
        rows = iter(entries)
        while True:
            buffer = io.StringIO()
            n = 0
            for given in rows:
                if not ACTION_PATTERN.match(given["action"]) or len(given["action"]) > 64:
                    raise ValueError(f"Not a namespaced audit action: {given['action']!r}")
                fields = {name: given[name] for name in HASHED_FIELDS}
                data_json = json.dumps(mask(given["data"] or {}), cls=DjangoJSONEncoder)
                fields["data"] = json.loads(data_json)  # as jsonb will give it back
                fields["ip_address"] = canonical_ip(given["ip_address"])
                fields["lane"] = lane
                entry_hash = compute_hash(prev, fields, key_id=key_id, ring=ring)
                values = [
                    fields["created_at"].isoformat(),
                    *(fields[name] for name in HASHED_FIELDS[1:9]),
                    data_json,
                    fields["ip_address"],
                    lane,
                    key_id,
                    prev,
                    entry_hash,
                ]
                buffer.write(",".join(map(_copy_field, values)) + "\n")
                prev = entry_hash
                n += 1
                if n == batch_size:
                    break
            if not n:
                break
            buffer.seek(0)
            cur.cursor.copy_expert(
                f"COPY audit_auditentry ({', '.join(_COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
                buffer,
            )
            done += n
            if progress is not None:
                progress(done)
            if n < batch_size:
                break
        if done:
            # Other lanes may have appended after these rows: the last one is found by hash.
            last_id = AuditEntry.objects.filter(entry_hash=prev).values_list("id", flat=True)[0]
            _move_head(cur, lane, last_id, prev, key_id)
    return done


# --- the chain check and the checkpoints (beat tasks, audit/tasks.py) ----------------------


def _recorded(
    kind: str, started, report: ChainReport, problem: str = "", checkpoint=None
) -> ChainCheck:
    """Store one run and tell the receivers (alerts, the checkpoint email) in one transaction."""
    with transaction.atomic():
        check = ChainCheck.objects.create(
            kind=kind,
            started_at=started,
            finished_at=timezone.now(),
            ok=report.ok and not problem,
            checked=report.checked,
            legacy=report.legacy,
            first_entry_id=report.first_id,
            last_entry_id=report.last_id,
            broken_entry_id=report.broken_id,
            problem=report.problem or problem,
            checkpoints_compared=report.checkpoints,
            checkpoint=checkpoint.line if checkpoint else "",
            checkpoint_number=checkpoint.number if checkpoint else None,
        )
        chain_checked.send(sender=ChainCheck, check=check)
    return check


def _anchor_stale(checkpoints: list[anchor.Checkpoint], now) -> str:
    max_age: timedelta = settings.AUDIT_ANCHOR_MAX_AGE
    if not checkpoints:
        return "anchor: no checkpoint has been written yet (is the beat task running?)"
    latest = checkpoints[-1]
    if now - latest.at_datetime > max_age:
        return (
            f"anchor: the latest checkpoint ({latest.number}, {latest.at}) is older than "
            f"{max_age}: checkpoints have stopped, or the file was cut"
        )
    return ""


def _anchor_cut_back(checkpoints: list[anchor.Checkpoint]) -> str:
    """The newest checkpoint the database recorded when it was written must still be in the
    file: each side guards the other (the file against a database administrator, this
    against someone who removes the newest lines of the file). One from before the file's
    first line belongs to an earlier file (docs/security.md, after a restore) and is skipped."""
    line = ChainCheck.objects.exclude(checkpoint="").values_list("checkpoint", flat=True).first()
    if not line or not checkpoints:
        return ""
    try:
        recorded = anchor.parse(line, where="the newest checkpoint recorded in the database")
    except anchor.AnchorError as exc:
        return f"anchor: {exc}"
    if recorded.at_datetime < checkpoints[0].at_datetime:
        return ""
    n = recorded.number
    if n > len(checkpoints) or checkpoints[n - 1].line != recorded.line:
        return (
            f"anchor: checkpoint {n} of {recorded.at}, recorded in the database when it was "
            "written, is not in the checkpoint file: the file was cut back or replaced"
        )
    return ""


def chain_verify(*, batch_size: int = 5000) -> ChainCheck:
    """Check the whole chain against every checkpoint in the anchor file, record the result
    and alert the trust administrators if anything is wrong (beat `audit-verify-chain`,
    daily). A checkpoint file that does not verify, or whose latest checkpoint is older than
    AUDIT_ANCHOR_MAX_AGE, is a failure too: someone may be hiding a cut."""
    started = timezone.now()
    path = anchor.anchor_file()
    checkpoints: list[anchor.Checkpoint] = []
    problem = ""
    if path is not None:
        try:
            checkpoints = anchor.read_file(path)
        except anchor.AnchorError as exc:
            problem = f"anchor: {exc}"
    report = verify_chain(batch_size, checkpoints=checkpoints)
    if path is not None and not problem:
        problem = _anchor_stale(checkpoints, timezone.now()) or _anchor_cut_back(checkpoints)
    return _recorded(ChainCheck.Kind.FULL, started, report, problem)


def chain_checkpoint() -> ChainCheck | None:
    """Check the entries appended since the last checkpoint and, if they are sound, append a
    signed checkpoint of every lane's head to the anchor file (beat `audit-checkpoint`,
    hourly).

    Nothing is anchored over a fault: the run is recorded as failed and the administrators
    alerted instead. None where anchoring is not configured (AUDIT_ANCHOR_PATH empty).
    """
    path = anchor.anchor_file()
    if path is None:
        return None
    started = timezone.now()
    written = None
    try:
        with anchor.opened(path) as file:
            report = verify_chain(after=file.last)
            if report.ok:
                written = file.append(lanes=report.lanes)
    except anchor.AnchorError as exc:
        return _recorded(
            ChainCheck.Kind.CHECKPOINT, started, ChainReport(False, 0), f"anchor: {exc}"
        )
    return _recorded(ChainCheck.Kind.CHECKPOINT, started, report, checkpoint=written)
