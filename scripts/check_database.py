"""Say plainly when no PostgreSQL answers at DATABASE_URL, instead of testing something else.

`make test` runs this once scripts/with_database.py has chosen the database (DATABASE_URL as
given, the default URL, or an embedded PostgreSQL), and creates the database when missing."""

import os
import sys

import environ
import psycopg2

url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_portal")
cfg = environ.Env.db_url_config(url)
if "postgresql" not in cfg["ENGINE"]:
    sys.exit(f"make test runs on PostgreSQL only; DATABASE_URL is {cfg['ENGINE']}.")
try:
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or "127.0.0.1",
        port=cfg.get("PORT") or 5432,
        connect_timeout=5,
    )
    # The database itself (not only test_<name>) lets `makemigrations --check` compare the
    # migration history instead of warning that it cannot.
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()
except psycopg2.OperationalError as exc:
    sys.exit(
        f"No PostgreSQL answers at {cfg.get('HOST')}:{cfg.get('PORT')} ({exc.args[0].strip()}).\n"
        "Start it, or leave DATABASE_URL unset and `make test` starts an embedded PostgreSQL."
    )
print(f"PostgreSQL answers at {cfg.get('HOST')}:{cfg.get('PORT')}.")
