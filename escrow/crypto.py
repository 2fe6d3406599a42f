"""Envelope encryption for the credential escrow (clause 4.5c; docs/security.md).

Each secret is encrypted with its own random 256-bit data key (AES-256-GCM). The data key is
wrapped (AES key wrap, RFC 3394) by a key-encryption key (KEK) that comes from the
environment or a file named by it, never from the database. The authenticated data binds the
ciphertext to its record and school, so ciphertext copied to another row does not decrypt.

Several KEKs may be configured; the first is current. `rewrap` moves a data key under the
current KEK without touching the ciphertext (`manage.py rotate_credential_keys`).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class CryptoError(Exception):
    """Decryption failed: wrong key, tampered or moved ciphertext. Never carries secrets."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(current={self.current_id!r}, ids={sorted(self.keys)!r})"


@dataclass(frozen=True)
class Sealed:
    """What is stored for one secret: none of it is sensitive without the KEK."""

    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


def parse_keyring(spec: str) -> Keyring:
    """Parse "id:base64key,id:base64key" (first is current). Errors never echo a key."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for n, item in enumerate(p.strip() for p in spec.replace("\n", ",").split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise ImproperlyConfigured(
                f"Credential key #{n + 1}: expected 'id:base64key' with an id of letters, "
                "digits, '.', '_' or '-'."
            )
        try:
            raw = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"Credential key {key_id!r} is not valid base64.") from None
        if len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"Credential key {key_id!r} must be {KEY_BYTES} bytes (AES-256), not {len(raw)}."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"Credential key id {key_id!r} appears twice.")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("No credential key configured (CREDENTIAL_KEYS or _FILE).")
    return Keyring(current_id=order[0], keys=keys)


def configured_spec() -> str:
    path = getattr(settings, "CREDENTIAL_KEYS_FILE", "")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"CREDENTIAL_KEYS_FILE cannot be read: {exc.strerror}"
            ) from None
    return getattr(settings, "CREDENTIAL_KEYS", "")


@lru_cache(maxsize=4)
def _keyring_for(spec: str) -> Keyring:
    return parse_keyring(spec)


def keyring() -> Keyring:
    return _keyring_for(configured_spec())


def generate_key() -> str:
    """A new base64 KEK for an operator to add to CREDENTIAL_KEYS."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def seal(plaintext: bytes | str, *, context: str, ring: Keyring | None = None) -> Sealed:
    """Encrypt under a fresh data key; `context` names the record and school it belongs to."""
    ring = ring or keyring()
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, context.encode("utf-8"))
    wrapped = aes_key_wrap(ring.keys[ring.current_id], data_key)
    return Sealed(ring.current_id, wrapped, nonce, ciphertext)


def _unwrap(sealed: Sealed, ring: Keyring) -> bytes:
    kek = ring.keys.get(sealed.key_id)
    if kek is None:
        raise CryptoError(f"The key {sealed.key_id!r} that protects this secret is not configured.")
    try:
        return aes_key_unwrap(kek, bytes(sealed.wrapped_key))
    except (InvalidUnwrap, ValueError):
        raise CryptoError("The data key does not unwrap: wrong key or tampered record.") from None


def unseal(sealed: Sealed, *, context: str, ring: Keyring | None = None) -> bytes:
    ring = ring or keyring()
    data_key = _unwrap(sealed, ring)
    try:
        return AESGCM(data_key).decrypt(
            bytes(sealed.nonce), bytes(sealed.ciphertext), context.encode("utf-8")
        )
    except (InvalidTag, ValueError):
        raise CryptoError(
            "The secret does not decrypt: tampered, or moved from its record."
        ) from None


def rewrap(sealed: Sealed, *, ring: Keyring | None = None) -> Sealed:
    """The same ciphertext with its data key wrapped by the current KEK (idempotent)."""
    ring = ring or keyring()
    if sealed.key_id == ring.current_id:
        return sealed
    data_key = _unwrap(sealed, ring)
    return Sealed(
        ring.current_id,
        aes_key_wrap(ring.keys[ring.current_id], data_key),
        sealed.nonce,
        sealed.ciphertext,
    )
