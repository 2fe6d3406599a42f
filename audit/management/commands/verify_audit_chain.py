"""manage.py verify_audit_chain: prove the audit log was neither edited nor cut (clause 6).

Checks every entry's HMAC under the chain keys and its link to the entry before, and every
entry a checkpoint of the anchor file (AUDIT_ANCHOR_PATH) names. Read-only: the scheduled
check (audit.tasks.verify) is the one that records its result and alerts.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import anchor
from audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit hash chain in id order, compare it with the checkpoints kept outside "
        "the database, and report the first broken entry (exit status 1), or how many entries "
        "were verified."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Entries read per query (default 5000).",
        )
        parser.add_argument(
            "--checkpoints",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help="Also compare with the checkpoints in FILE, one line each (for example copied "
            "from the emailed checkpoints). May be given more than once.",
        )
        parser.add_argument(
            "--no-anchor",
            action="store_true",
            help="Do not read the anchor file (e.g. for a restore drill of an older dump, "
            "whose later entries the anchor rightly reports as missing).",
        )

    def handle(self, *args, batch_size: int, checkpoints: list[Path], no_anchor: bool, **opts):
        pins: list[anchor.Checkpoint] = []
        path = None if no_anchor else anchor.anchor_file()
        try:
            if path is not None:
                pins += anchor.read_file(path)
            for extra in checkpoints:
                pins += anchor.read_loose(extra.read_text(encoding="ascii").splitlines())
        except (anchor.AnchorError, OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"The checkpoints cannot be trusted: {exc}") from None
        report = verify_chain(batch_size=max(1, batch_size), checkpoints=pins)
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at entry #{report.broken_id}: {report.problem} "
                f"({report.checked} entries before it verified)."
            )
        anchored = (
            f"; {report.checkpoints} checkpoint(s) matched"
            if pins
            else ("; no checkpoints to compare with" if path is None else "; anchor file empty")
        )
        legacy = f" ({report.legacy} from before the chain was keyed)" if report.legacy else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} entries verified{legacy}{anchored}."
            )
        )
