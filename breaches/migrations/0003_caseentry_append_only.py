"""The case chronology is append-only on PostgreSQL (section 7; docs/security.md), like the
audit log (audit migration 0002): a trigger refuses UPDATE, DELETE and TRUNCATE on
breaches_caseentry.

One deletion is legitimate: disposal. `breaches.services.case_dispose` deletes a closed case
past its retention date, and with it its chronology. The trigger lets a row go only when its
case is closed and its retention date has passed, checked against the case row in the same
statement, so no other path (a stray ORM delete, a plain SQL DELETE by the application's
database user) removes chronology. The date has a day of slack because the database's date
is UTC and the service's is the trust's (Europe/London); the service checks the exact day.

People are deactivated, never deleted, so `author` is never set to NULL by a deletion; an
attempt is refused like any other UPDATE. TRUNCATE is let through only in a session that sets
`audit.allow_truncate = on`: the test runner's flush (config/settings/test.py) and
`seed_scale --reset` on a benchmark database. Row-level triggers for UPDATE and DELETE, so a
statement that touches no row (Django's SET_NULL when a user without entries is deleted)
passes. Whoever owns the table can still disable the trigger.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION breaches_caseentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF current_setting('audit.allow_truncate', true) = 'on' THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (
            SELECT 1 FROM breaches_breachcase c
            WHERE c.id = OLD.case_id
              AND c.status = 'closed'
              AND c.retention_until IS NOT NULL
              AND c.retention_until <= CURRENT_DATE + 1
        ) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'case chronology is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING HINT = 'Entries of a case are never changed; they go only with the case, '
                     'when it is disposed of after its retention date (policy section 7).';
END;
$$;
CREATE TRIGGER breaches_caseentry_no_update_delete
    BEFORE UPDATE OR DELETE ON breaches_caseentry
    FOR EACH ROW EXECUTE FUNCTION breaches_caseentry_append_only();
CREATE TRIGGER breaches_caseentry_no_truncate
    BEFORE TRUNCATE ON breaches_caseentry
    FOR EACH STATEMENT EXECUTE FUNCTION breaches_caseentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS breaches_caseentry_no_truncate ON breaches_caseentry;
DROP TRIGGER IF EXISTS breaches_caseentry_no_update_delete ON breaches_caseentry;
DROP FUNCTION IF EXISTS breaches_caseentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("breaches", "0002_case_list_indexes")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False)
    ]
