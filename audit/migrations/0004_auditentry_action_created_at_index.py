"""An index on (action, created_at): the trust administrators' home cards count one action
over the last week (issue 9). Built concurrently: every service appends audit entries inside
its transaction, and a plain CREATE INDEX on the log would hold all of them back while it runs.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0003_chain_head")]

    operations = [
        AddIndexConcurrently(
            model_name="auditentry",
            index=models.Index(
                fields=["action", "created_at"], name="audit_audit_action_ebedd2_idx"
            ),
        ),
    ]
