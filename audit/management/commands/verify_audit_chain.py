"""manage.py verify_audit_chain: prove the audit log was neither edited nor cut (clause 6)."""

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit hash chain in id order and report the first broken entry "
        "(exit status 1), or how many entries were verified."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Entries read per query (default 5000).",
        )

    def handle(self, *args, batch_size: int, **options):
        report = verify_chain(batch_size=max(1, batch_size))
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at entry #{report.broken_id}: {report.problem} "
                f"({report.checked} entries before it verified)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.checked} entries verified.")
        )
