"""Secrets never reach audit data (clause 6; brief: "secrets never reach logs, audit data...").

Keys that look secret are masked before storage, at any depth of nested dicts and lists. A few
values are masked whatever their key (PEM private keys, bearer tokens, JWTs), because a caller
may put one under an innocent key such as "detail". Request bodies are refused outright: an
entry records what happened, never what was typed.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, QueryDict

MASK = "********"

SECRET_KEY_PATTERN = re.compile(
    r"password|passphrase|passwd|passcode|(?<![a-z])pass(?![a-z])|secret|token|api[_\- ]?key"
    r"|private|credential|(?<![a-z])t?otp|recovery|backup[_\- ]?code"
    r"|^session$|session_?(id|key|data)|cookie"
    r"|authori[sz]ation|signature|(?<![a-z])salt(?![a-z])|(?<![a-z])seed(?![a-z])"
    r"|^key$|_key$|-key$|(?<![a-z])pin(?![a-z])|cvv",
    re.IGNORECASE,
)
# An identifier or a count of a secret thing is not the secret: `credential_id`,
# `backup_codes_count`, `password_changed_at` stay readable. Session ids and cookies are the
# exception: the id is itself the bearer secret. (`sessions_ended`, a count, is not.)
NOT_SECRET_SUFFIX = re.compile(r"(_id|_ids|_count|_at|_type|_kind|_version|_label)$", re.I)
ALWAYS_SECRET = re.compile(r"session_?(id|key)|cookie", re.IGNORECASE)

SECRET_VALUE_PATTERN = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|^\s*(bearer|basic|token)\s+\S{8,}"
    r"|^eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]+",  # a JSON Web Token
    re.IGNORECASE,
)


def is_secret_key(key: object) -> bool:
    k = str(key)
    if ALWAYS_SECRET.search(k):
        return True
    return bool(SECRET_KEY_PATTERN.search(k)) and not NOT_SECRET_SUFFIX.search(k)


def mask(value: Any) -> Any:
    """Return a copy of `value` with secret-looking keys and values masked.

    Dict keys become strings (JSON has no other kind); sets become sorted lists so the stored
    form, and therefore the entry's hash, does not depend on iteration order.
    """
    if isinstance(value, HttpRequest | QueryDict):
        raise TypeError("Audit data must not carry a request or its body; record what happened.")
    if isinstance(value, dict):
        return {str(k): (MASK if is_secret_key(k) else mask(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((mask(v) for v in value), key=str)
    if isinstance(value, bytes):
        return MASK  # raw bytes are key material or file content, never an audit fact
    if isinstance(value, str):
        if SECRET_VALUE_PATTERN.search(value):
            return MASK
        return value.replace("\x00", "")  # PostgreSQL jsonb refuses NUL
    return value
