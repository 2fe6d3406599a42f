"""CSV safety: every CSV the portal exports (dashboard, audit log) passes its cells through
`csv_safe`."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a leading quote makes them text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
