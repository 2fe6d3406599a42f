"""PostgreSQL is the portal's one database engine (issue 13): the suite runs on it, whichever
server `make test` chose (the machine's or the embedded one), with the portal's own triggers."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_postgresql_with_the_audit_logs_triggers():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000  # docker-compose runs 16; CI's machine has 15
    with connection.cursor() as cursor:
        # The audit log's append-only triggers (tests/audit/test_append_only.py tries them).
        cursor.execute(
            "SELECT count(*) FROM pg_trigger "
            "WHERE tgrelid = 'audit_auditentry'::regclass AND NOT tgisinternal"
        )
        assert cursor.fetchone()[0] >= 1
