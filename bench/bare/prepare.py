"""Make the bare reference's database ready and print a signed-in session's Cookie header.

    BARE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench_bare \
        python -m bench.bare.prepare

Creates the database when it is missing (on the same server), migrates, makes one user and
signs them in once, as bench/pages.py does for the portal's people.
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def main() -> None:
    ensure_database(os.environ["BARE_DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    user, _ = User.objects.get_or_create(username="reference@bench.example")
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    sys.stdout.write(f"{name}={client.cookies[name].value}\n")


if __name__ == "__main__":
    main()
