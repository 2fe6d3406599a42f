"""Issue 19: personal parts of audit entries sealed under per-subject keys (audit/personal.py)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_keyed_chain_and_checks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditSubjectKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("subject", models.CharField(max_length=100, unique=True)),
                ("wrapped", models.BinaryField()),
                ("wrap_key_id", models.CharField(max_length=32)),
                ("created_at", models.DateTimeField()),
            ],
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sealed",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="subject",
            field=models.CharField(blank=True, db_default="", default="", max_length=100),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("subject", ""), _negated=True),
                fields=["subject"],
                name="audit_subject",
            ),
        ),
    ]
