"""Personal data in audit entries ends with the record it belongs to (issue 19;
docs/data-protection.md, "The audit log"). Crypto-shredding:

- Each entry about a record that belongs to a data subject (a student, a carer, a member of
  staff...) names that subject (`AuditEntry.subject`, e.g. ``consents.student:42``: an id,
  not personal data by itself once the record is gone) and keeps its personal parts — the
  record's display text and any `personal` values the caller passes — only as `sealed`:
  AES-256-GCM under a key of that subject (`AuditSubjectKey`), with the subject as
  authenticated data. The plain `target_repr` then says only what kind of record it was.
- The chain's hash covers `subject` and `sealed` (the ciphertext), never the plain text
  (audit/chain.py), so destroying the key changes nothing the verifier reads.
- Disposal destroys the subject's key (`subject_keys_destroy`): every entry about them then
  shows "disposed" where the name was, and the chain still verifies.
- A subject's key is stored wrapped (RFC 3394) with a wrapping key derived (HKDF-SHA256)
  from the audit chain key, which lives outside the database: a copy of the table alone (a
  leaked dump) opens nothing, and once the row is gone, the only copies left are in backups,
  which expire (docs/data-protection.md, "Backups").

Which records belong to whom is a registry: an app above the audit layer registers, from its
AppConfig.ready(), a resolver per model (`register_subject`); the audit layer imports no app.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from django.db import connection, models

from .keys import chain_keyring

DISPOSED = "disposed"
NONCE_BYTES = 12

# model label (lower case, "app.model") -> resolver(obj) -> subject reference or None
_RESOLVERS: dict[str, Callable[[Any], str | None]] = {}


def subject_ref(model_or_label: type[models.Model] | str, pk: Any) -> str:
    """The reference of a data subject: ``app_label.model:pk`` (lower case)."""
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label
    return f"{label.lower()}:{pk}"


def register_subject(
    model: type[models.Model], resolver: Callable[[Any], str | None] | None = None
) -> None:
    """Entries about instances of `model` belong to `resolver(obj)` (default: the instance
    itself is the subject). Called from AppConfig.ready() of an app above the audit layer."""
    _RESOLVERS[model._meta.label_lower] = resolver or (lambda obj: subject_ref(model, obj.pk))


def registered_models() -> list[str]:
    return sorted(_RESOLVERS)


def subject_of(target: models.Model | None) -> str | None:
    """The data subject an entry about `target` belongs to, or None (nothing personal)."""
    if target is None:
        return None
    resolver = _RESOLVERS.get(target._meta.label_lower)
    return resolver(target) if resolver else None


def neutral_label(target: models.Model) -> str:
    """What the plain entry says about a sealed target: its kind and id, never its name."""
    return f"{target._meta.verbose_name} {target.pk}"[:200]


# --- keys ------------------------------------------------------------------------------------


def _wrapping_key(chain_key_id: str) -> bytes:
    ring = chain_keyring()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"audit.subject-key-wrap.v1"
    ).derive(ring.keys[chain_key_id])


def _subject_key(subject: str) -> bytes:
    """The subject's data key, made on first use. One round trip either way: the insert that
    meets an existing row returns that row (ON CONFLICT DO UPDATE ... RETURNING)."""
    ring = chain_keyring()
    wrap_id = ring.current_id
    fresh = aes_key_wrap(_wrapping_key(wrap_id), os.urandom(32))
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO audit_auditsubjectkey (subject, wrapped, wrap_key_id, created_at) "
            "VALUES (%s, %s, %s, now()) ON CONFLICT (subject) "
            "DO UPDATE SET subject = EXCLUDED.subject RETURNING wrapped, wrap_key_id",
            [subject, fresh, wrap_id],
        )
        wrapped, key_id = cur.fetchone()
    return aes_key_unwrap(_wrapping_key(key_id), bytes(wrapped))


def _aad(subject: str) -> bytes:
    return f"audit.subject:{subject}".encode()


def seal(subject: str, values: Mapping[str, Any]) -> bytes:
    """`values` (JSON) encrypted under the subject's key: nonce + ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(dict(values), sort_keys=True, default=str).encode()
    return nonce + AESGCM(_subject_key(subject)).encrypt(nonce, plain, _aad(subject))


def _open_with(key: bytes, subject: str, sealed: bytes) -> dict[str, Any]:
    blob = bytes(sealed)
    plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(subject))
    return json.loads(plain)


def subject_keys_destroy(subjects: Iterable[str]) -> int:
    """Crypto-shredding: destroy the keys of these subjects; returns how many existed. The
    entries stay (append-only, the chain still verifies); their personal parts are then
    unreadable for ever."""
    refs = list(dict.fromkeys(subjects))
    if not refs:
        return 0
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditsubjectkey WHERE subject = ANY(%s)", [refs])
        return cur.rowcount


def open_entries(entries: Iterable[Any]) -> list[Any]:
    """Give each entry `personal` (the opened values, {} when nothing was sealed) and
    `shown_repr` (the display text of its target, or "disposed" when the subject's key was
    destroyed). One query for the keys of a whole page."""
    from .models import AuditSubjectKey

    entries = list(entries)
    subjects = {e.subject for e in entries if e.subject}
    keys: dict[str, bytes] = {}
    if subjects:
        for row in AuditSubjectKey.objects.filter(subject__in=subjects):
            keys[row.subject] = aes_key_unwrap(_wrapping_key(row.wrap_key_id), bytes(row.wrapped))
    for e in entries:
        e.personal, e.disposed = {}, False
        e.shown_repr = e.target_repr
        if not e.subject or e.sealed is None:
            continue
        key = keys.get(e.subject)
        if key is None:
            e.disposed, e.shown_repr = True, DISPOSED
            continue
        e.personal = _open_with(key, e.subject, e.sealed)
        e.shown_repr = e.personal.get("target_repr", e.target_repr)
    return entries
