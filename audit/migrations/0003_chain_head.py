"""The single chain-head row every audit entry is appended after (clause 6)."""

from django.db import migrations

GENESIS_HASH = "0" * 64


def create_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    last = AuditEntry.objects.order_by("-id").values("id", "entry_hash").first()
    AuditChainHead.objects.get_or_create(
        id=1,
        defaults={
            "last_hash": last["entry_hash"] if last else GENESIS_HASH,
            "last_entry_id": last["id"] if last else None,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
