"""Helpers for the audit chain tests: act as a database superuser would, and give a test an
anchor directory of its own."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.chain import GENESIS_HASH, compute_hash
from audit.keys import Keyring
from audit.models import AuditChainHead, AuditEntry


def as_superuser(sql: str, params=None, *, table: str = "audit_auditentry") -> None:
    """Run `sql` as the table owner does to get past the append-only trigger."""
    with connection.cursor() as c:
        c.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        c.execute(sql, params)
        c.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def move_head(entry_id: int | None, entry_hash: str, key_id: str) -> None:
    AuditChainHead.objects.filter(id=1).update(
        last_entry_id=entry_id, last_hash=entry_hash, last_key_id=key_id
    )


def rechain(
    *,
    from_id: int | None = None,
    key_for=lambda entry: entry.key_id,
    ring: Keyring | None = None,
    edit=None,
) -> None:
    """Rewrite the chain from entry `from_id` on (all of it by default) as an attacker or an
    upgrade would: each entry's `key_id` from `key_for(entry)`, its hashes recomputed with
    the project's own compute_hash under `ring` (the configured keys by default), `edit`
    applied to the entry first, then the head moved to the new last hash. As a superuser:
    the append-only trigger is switched off."""
    entries = list(AuditEntry.objects.order_by("id"))
    prev = GENESIS_HASH
    with connection.cursor() as c:
        c.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        for entry in entries:
            if from_id is None or entry.pk >= from_id:
                if edit is not None:
                    edit(entry)
                entry.key_id = key_for(entry)
                entry.prev_hash = prev
                entry.entry_hash = compute_hash(prev, entry, key_id=entry.key_id, ring=ring)
                AuditEntry.objects.filter(pk=entry.pk).update(
                    **{
                        f.attname: getattr(entry, f.attname)
                        for f in AuditEntry._meta.concrete_fields
                        if not f.primary_key
                    }
                )
            prev = entry.entry_hash
        c.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    last = entries[-1]
    move_head(last.pk, last.entry_hash, last.key_id)


@pytest.fixture
def anchor_dir(tmp_path, settings):
    """AUDIT_ANCHOR_PATH for this test only (the test settings leave it empty)."""
    directory = tmp_path / "anchor"
    directory.mkdir()
    settings.AUDIT_ANCHOR_PATH = str(directory)
    return directory
