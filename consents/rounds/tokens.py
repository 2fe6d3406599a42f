"""Personal links and letter codes of the consent round (issue 17, 4.5e).

A link carries `django.core.signing.dumps([invite id, secret], salt=LINK_SALT)`: signed with
the installation's SECRET_KEY and salted for this one purpose, so a link cannot be forged or
altered, and a token made for anything else (a password reset, a session) never opens it; a
tampered or invented token is refused before the database is asked. The secret is random per
issue and the invite stores only its SHA-256: re-sending or revoking replaces or clears the
hash, which kills every earlier link at once, and a copy of the database alone gives no
working link. Expiry is the round's end date, read from the database at each use (the school
may move it), so no timestamp is signed. Letter codes have no signature to check (they are
typed by hand), hence their length (50 random bits), their hash, and the rate limits.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing

LINK_SALT = "consents.round.link"
# Crockford's base 32: no I, L, O or U, so a code read off paper is typed without confusion.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh secret for a link and the hash the invite stores."""
    secret = secrets.token_urlsafe(16)
    return secret, digest(secret)


def link_token(invite_id: int, secret: str) -> str:
    return signing.dumps([invite_id, secret], salt=LINK_SALT)


def read_link_token(token: str) -> tuple[int, str] | None:
    """(invite id, secret) of a genuine token, None for anything tampered or made elsewhere."""
    try:
        value = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        return None
    return value[0], value[1]


def new_code() -> tuple[str, str]:
    """A letter code as printed (XXXXX-XXXXX) and the hash the invite stores."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}", digest(raw)


def normalise_code(text: str) -> str:
    """What a carer typed, as the code it means: case, spaces and dashes ignored, and the
    letters people confuse with digits read as those digits."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"}))


def code_digest(text: str) -> str | None:
    code = normalise_code(text)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return digest(code)
