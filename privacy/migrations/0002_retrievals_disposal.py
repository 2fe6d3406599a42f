"""Retrievals of escrowed login details are append-only (escrow migration 0002). The retention
schedule (issue 19) must still end them: the trigger lets a DELETE through only in a
transaction that set `privacy.disposal = on` (SET LOCAL, privacy.retention._dispose_retrievals).
UPDATE stays refused. Whoever owns the table can still disable the trigger, as before."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION escrow_retrieval_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('audit.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('privacy.disposal', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'credential retrievals are append-only: % on % is not allowed',
        TG_OP, TG_TABLE_NAME
        USING HINT = 'Who retrieved login details, when and why is never changed (policy 4.5c).';
END;
$$;
"""

BACKWARD = """
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("escrow", "0002_retrieval_append_only"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
