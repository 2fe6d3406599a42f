"""Secrets never reach audit data: keys that look secret are masked before storage."""

import re
from typing import Any

MASK = "********"
SECRET_KEY_PATTERN = re.compile(
    r"pass(word|phrase)?|secret|token|api[_-]?key|private|credential|otp|recovery|backup[_-]?code"
    r"|session|cookie|authori[sz]ation|^key$|_key$|^pin$|cvv",
    re.IGNORECASE,
)


def mask(value: Any) -> Any:
    """Return a copy of `value` with every dict entry under a secret-looking key masked."""
    if isinstance(value, dict):
        return {
            str(k): (MASK if SECRET_KEY_PATTERN.search(str(k)) else mask(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return value
