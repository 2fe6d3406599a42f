"""The audit log's two keyrings, kept outside the database (clause 6; docs/security.md).

- The **chain key** (`AUDIT_CHAIN_KEYS` or `AUDIT_CHAIN_KEYS_FILE`) makes every entry's hash an
  HMAC-SHA256, so whoever can rewrite the table but does not hold the key cannot recompute
  the chain. Every process that writes audit entries needs it.
- The **anchor key** (`AUDIT_ANCHOR_KEYS` or `AUDIT_ANCHOR_KEYS_FILE`) is an Ed25519 private
  key that signs the checkpoints written outside the database (audit/anchor.py). Its public
  half verifies a checkpoint anywhere (`manage.py audit_keys`), without the power to forge one.

Both are written "id:base64-of-32-bytes[,older-id:older-key...]", the first being current,
exactly like the escrow's CREDENTIAL_KEYS (escrow/crypto.py), and are read from the
environment or from a file named by it, never from the database. Old keys stay listed after
the current one for as long as anything made with them must verify: for the chain, for ever
(entries are append-only and cannot be re-hashed).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class Keyring:
    """Keys by id, newest first: `order[0]` is current, later ones only verify."""

    order: tuple[str, ...]
    keys: dict[str, bytes] = field(repr=False)

    @property
    def current_id(self) -> str:
        return self.order[0]

    def rank(self, key_id: str) -> int | None:
        """0 for the current key, 1 for the one before it...; None for a key not configured."""
        try:
            return self.order.index(key_id)
        except ValueError:
            return None

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(current={self.current_id!r}, ids={list(self.order)!r})"


def parse_keyring(spec: str, *, setting: str) -> Keyring:
    """Parse "id:base64key,id:base64key" (first is current). Errors never echo a key."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for n, item in enumerate(p.strip() for p in spec.replace("\n", ",").split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise ImproperlyConfigured(
                f"{setting} key #{n + 1}: expected 'id:base64key' with an id of letters, "
                "digits, '.', '_' or '-'."
            )
        try:
            raw = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{setting} key {key_id!r} is not valid base64.") from None
        if len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{setting} key {key_id!r} must be {KEY_BYTES} random bytes, not {len(raw)}."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{setting} key id {key_id!r} appears twice.")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured(f"No key configured ({setting} or {setting}_FILE).")
    return Keyring(order=tuple(order), keys=keys)


def configured_spec(setting: str) -> str:
    """The keyring text: from the file `<setting>_FILE` names, else the setting itself."""
    path = getattr(settings, f"{setting}_FILE", "")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except OSError as exc:
            raise ImproperlyConfigured(f"{setting}_FILE cannot be read: {exc.strerror}") from None
    return getattr(settings, setting, "")


@lru_cache(maxsize=8)
def _parsed(spec: str, setting: str) -> Keyring:
    return parse_keyring(spec, setting=setting)


def chain_keyring() -> Keyring:
    """The HMAC keys of the hash chain (read at every call, like the escrow's keys)."""
    return _parsed(configured_spec("AUDIT_CHAIN_KEYS"), "AUDIT_CHAIN_KEYS")


def anchor_keyring() -> Keyring:
    """The Ed25519 private keys (32-byte seeds) that sign checkpoints."""
    return _parsed(configured_spec("AUDIT_ANCHOR_KEYS"), "AUDIT_ANCHOR_KEYS")


def generate_key() -> str:
    """32 fresh random bytes in base64: a chain key or an anchor key."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()
