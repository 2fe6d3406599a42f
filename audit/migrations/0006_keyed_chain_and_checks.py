"""The keyed audit chain (clause 6; audit/chain.py) and the record of the chain checks.

Existing entries get `key_id = ''`: they were hashed with plain SHA-256 and, the log being
append-only, keep that hash. The first entry written after this migration is keyed with the
current AUDIT_CHAIN_KEYS key and its HMAC covers the last legacy hash, so a legacy entry edited
and re-hashed forward still breaks the chain there. On PostgreSQL 11+ adding a column with a
constant default rewrites no row (and fires no UPDATE trigger), however long the log.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_lean_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("full", "Whole chain"),
                            ("checkpoint", "Since the last checkpoint"),
                        ],
                        max_length=10,
                    ),
                ),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField()),
                ("ok", models.BooleanField()),
                ("checked", models.PositiveBigIntegerField(default=0)),
                ("legacy", models.PositiveBigIntegerField(default=0)),
                ("first_entry_id", models.BigIntegerField(blank=True, null=True)),
                ("last_entry_id", models.BigIntegerField(blank=True, null=True)),
                ("broken_entry_id", models.BigIntegerField(blank=True, null=True)),
                ("problem", models.TextField(blank=True)),
                ("checkpoints_compared", models.PositiveIntegerField(default=0)),
                ("checkpoint", models.TextField(blank=True)),
                ("checkpoint_number", models.PositiveIntegerField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-id"],
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_key_id",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
