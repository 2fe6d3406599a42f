"""The record of credential retrievals is append-only on PostgreSQL (4.5c: the leader keeps a
record; docs/security.md), like the audit log (audit migration 0002): a trigger refuses
UPDATE, DELETE and TRUNCATE on escrow_retrieval.

No code path changes or removes a retrieval: the credential, school and person it names are
PROTECTed, and versions are marked destroyed, never deleted (so `version` is never set to
NULL). TRUNCATE is let through only in a session that sets `audit.allow_truncate = on`: the
test runner's flush (config/settings/test.py) and `seed_scale --reset` on a benchmark
database. Row-level triggers for UPDATE and DELETE, so a statement touching no row passes.
Whoever owns the table can still disable the trigger.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION escrow_retrieval_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('audit.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'credential retrievals are append-only: % on % is not allowed',
        TG_OP, TG_TABLE_NAME
        USING HINT = 'Who retrieved login details, when and why is never changed (policy 4.5c).';
END;
$$;
CREATE TRIGGER escrow_retrieval_no_update_delete
    BEFORE UPDATE OR DELETE ON escrow_retrieval
    FOR EACH ROW EXECUTE FUNCTION escrow_retrieval_append_only();
CREATE TRIGGER escrow_retrieval_no_truncate
    BEFORE TRUNCATE ON escrow_retrieval
    FOR EACH STATEMENT EXECUTE FUNCTION escrow_retrieval_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS escrow_retrieval_no_truncate ON escrow_retrieval;
DROP TRIGGER IF EXISTS escrow_retrieval_no_update_delete ON escrow_retrieval;
DROP FUNCTION IF EXISTS escrow_retrieval_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("escrow", "0001_initial")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False)
    ]
