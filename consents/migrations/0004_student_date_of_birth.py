from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0003_covered_fk_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="student",
            name="date_of_birth",
            field=models.DateField(blank=True, null=True),
        ),
    ]
