"""manage.py audit_checkpoint: write a checkpoint of the audit chain now (docs/deploy.md).

The beat task does this hourly; run it by hand right after an upgrade or a key rotation, so
that what was written before is anchored at once. Exit status 1 if the entries since the last
checkpoint do not verify (nothing is anchored then, and the administrators are alerted).
"""

from django.core.management.base import BaseCommand, CommandError

from audit.services import chain_checkpoint


class Command(BaseCommand):
    help = "Check the entries since the last checkpoint and append a signed checkpoint."

    def handle(self, *args, **options):
        check = chain_checkpoint()
        if check is None:
            raise CommandError("AUDIT_ANCHOR_PATH is not set: there is nowhere to write.")
        if not check.ok:
            raise CommandError(
                f"No checkpoint written: {check.problem} (entry #{check.broken_entry_id})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint {check.checkpoint_number} written: entry #{check.last_entry_id} "
                f"({check.checked} new entries checked)."
            )
        )
