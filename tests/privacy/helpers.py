"""Shared helpers of the privacy tests: a DPO, and a search of every copy for a name."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection

from accounts.models import User


def make_dpo(world) -> User:
    """The world's data protection officer (tests/conftest.py persona "dpo")."""
    return world.dpo


def tables_holding(text: str) -> dict[str, int]:
    """Every table and column (text, JSON or bytes) of the database that holds `text`, with
    the number of rows: the whole database is searched, not a list of known places."""
    found: dict[str, int] = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json', 'bytea')"
        )
        for table, column, kind in cur.fetchall():
            if kind == "bytea":
                where = f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"
                param = text
            else:
                where = f'"{column}"::text ILIKE %s'
                param = f"%{text}%"
            cur.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', [param])
            n = cur.fetchone()[0]
            if n:
                found[f"{table}.{column}"] = n
    return found


def files_holding(text: str) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    needle = text.encode()
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]
