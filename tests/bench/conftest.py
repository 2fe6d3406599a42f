"""A throw-away PostgreSQL database for each benchmark harness test (same server as the suite)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg2 import sql

from tests.deploy.test_backup_restore import connect, url_for


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """CREATE DATABASE <prefix>_<random>, yield its URL, then drop it (connections and all)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = connect("postgres")
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url_for(name)
    finally:
        with admin.cursor() as cursor:
            drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
            cursor.execute(sql.SQL(drop).format(sql.Identifier(name)))
        admin.close()
