"""The chain's lanes (audit/chain.py): each entry names the lane it was appended to. The
entries already written form lane 1; the column has a database default, so adding it to a
large log rewrites no row (PostgreSQL stores the default once)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_personal_data_sealed")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="lane",
            field=models.SmallIntegerField(db_default=1, default=1),
        ),
    ]
