"""Backups restore: pg_dump of a small migrated database with the demo trust, restored into a
new database, has the same tables and rows, an intact audit chain and its append-only guard.

Runs the real scripts (scripts/backup.sh, scripts/restore.sh) against the local PostgreSQL.
The databases are created here with unique names and dropped in a finalizer.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import environ
import psycopg2
import pytest
from django.core.management import get_commands
from psycopg2 import sql

from .conftest import PYTHON, ROOT, run

BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_portal")
CONFIG = environ.Env.db_url_config(BASE_URL)
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
# Tables that must hold rows after load_demo, so "same counts" is not "both empty".
MUST_HAVE_ROWS = ["accounts_user", "accounts_school", "audit_auditentry", "django_migrations"]


def connect(dbname: str):
    connection = psycopg2.connect(
        dbname=dbname,
        user=CONFIG.get("USER") or "postgres",
        password=CONFIG.get("PASSWORD") or None,
        host=CONFIG.get("HOST") or "127.0.0.1",
        port=CONFIG.get("PORT") or 5432,
    )
    connection.autocommit = True
    return connection


def url_for(dbname: str) -> str:
    return urlsplit(BASE_URL)._replace(path=f"/{dbname}").geturl()


def row_counts(dbname: str) -> dict[str, int]:
    connection = connect(dbname)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            tables = [name for (name,) in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        connection.close()


def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.fixture(scope="module")
def backup_world(request, tmp_path_factory):
    token = secrets.token_hex(4)
    source, target = f"smp_deploy_src_{token}", f"smp_deploy_dst_{token}"
    admin = connect("postgres")

    def drop_databases():
        with admin.cursor() as cursor:
            for name in (source, target):
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        admin.close()

    request.addfinalizer(drop_databases)
    with admin.cursor() as cursor:
        for name in (source, target):
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    source_env = app_env(url_for(source))
    migrate = run([PYTHON, "manage.py", "migrate", "--noinput"], env=source_env, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    demo = run([PYTHON, "manage.py", "load_demo"], env=source_env, timeout=300)
    assert demo.returncode == 0, demo.stderr[-3000:]

    backup_dir = tmp_path_factory.mktemp("backups")
    backup = run(["bash", str(BACKUP), str(backup_dir)], env=source_env)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])

    restore = run(["bash", str(RESTORE), str(dump), url_for(target)], env=dict(os.environ))
    assert restore.returncode == 0, restore.stderr
    return SimpleNamespace(source=source, target=target, dump=dump, backup_dir=backup_dir)


def test_backup_writes_a_timestamped_custom_format_dump_only_the_owner_can_read(backup_world):
    dump = backup_world.dump

    assert dump.parent == backup_world.backup_dir
    assert re.fullmatch(rf"{backup_world.source}-\d{{8}}T\d{{6}}Z\.dump", dump.name)
    assert dump.read_bytes()[:5] == b"PGDMP", "pg_dump custom format (-Fc)"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert not list(backup_world.backup_dir.glob("*.partial"))


def test_restore_into_a_new_database_has_every_table_with_the_same_row_counts(backup_world):
    source = row_counts(backup_world.source)
    restored = row_counts(backup_world.target)

    assert restored == source
    for table in MUST_HAVE_ROWS:
        assert source[table] > 0, f"{table} is empty: the comparison would prove nothing"


def test_restored_audit_chain_still_verifies(backup_world):
    if "verify_audit_chain" not in get_commands():
        pytest.skip("manage.py verify_audit_chain does not exist yet (audit issue)")

    result = run(
        [PYTHON, "manage.py", "verify_audit_chain"], env=app_env(url_for(backup_world.target))
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact" in result.stdout


def test_restored_audit_log_is_still_append_only(backup_world):
    connection = connect(backup_world.target)
    try:
        with connection.cursor() as cursor, pytest.raises(psycopg2.Error):
            cursor.execute("UPDATE audit_auditentry SET action = action")
    finally:
        connection.close()


def test_restore_refuses_a_database_that_is_not_empty(backup_world):
    before = row_counts(backup_world.target)

    result = run(
        ["bash", str(RESTORE), str(backup_world.dump), url_for(backup_world.target)],
        env=dict(os.environ),
    )

    assert result.returncode == 3
    assert "not empty" in result.stderr
    assert row_counts(backup_world.target) == before


def test_restore_with_force_overwrites_a_database_that_is_not_empty(backup_world):
    connection = connect(backup_world.target)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())"
            )
    finally:
        connection.close()

    result = run(
        ["bash", str(RESTORE), "--force", str(backup_world.dump), url_for(backup_world.target)],
        env=dict(os.environ),
    )

    assert result.returncode == 0, result.stderr
    assert row_counts(backup_world.target) == row_counts(backup_world.source)


def test_backup_without_database_url_fails_clearly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}

    result = run(["bash", str(BACKUP), str(tmp_path)], env=env)

    assert result.returncode != 0
    assert "DATABASE_URL must name the database" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_scripts_pass_the_password_in_the_environment_not_on_the_command_line():
    script = (
        f'. "{ROOT}/scripts/pg-url.sh"; '
        'libpq_uri "psql://smp:p%40ss%3Aword@db.example:6432/smp_portal?sslmode=require"; '
        'echo "$PG_URI"; bash -c \'echo "$PGPASSWORD"\''
    )

    result = run(["bash", "-c", script], env=dict(os.environ))

    uri, password = result.stdout.splitlines()
    assert uri == "postgresql://smp@db.example:6432/smp_portal?sslmode=require"
    assert password == "p@ss:word", "exported to pg_dump/pg_restore, which are child processes"
