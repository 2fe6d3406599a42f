"""manage.py seed_scale: the largest trust's data set for the scale benchmarks (issue 9).

The driver is portal/scale.py; each app writes its own part in its `scale.py`, beside its
`demo.py` (as load_demo, beside which this command lives)."""

from __future__ import annotations

import base64
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.models import AuditEntry
from portal import scale as scale_data


class Command(BaseCommand):
    help = (
        "Build a largest-trust data set on PostgreSQL (100 schools, 12,000 staff, 100,000 "
        "students, 2,000,000 audit entries ...), multiplied by --scale. When the Scale Trust "
        "exists it adds nothing, unless --reset: then the data set is removed and built again "
        "(the audit log keeps its entries and the new ones are appended)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every count by this factor (e.g. 0.001 for a quick run).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the Scale Trust's data and seed again, in one transaction. Refused "
            "when another trust holds schools or people (a benchmark database only). Audit "
            "entries are append-only: they stay, and the new run appends its own.",
        )

    def handle(self, *args, scale: float, reset: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL COPY: use a PostgreSQL database.")
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        if not reset and scale_data.scale_trust_exists():
            self.stdout.write(
                f"The scale data set is already here (trust '{scale_data.SCALE_TRUST_NAME}'): "
                "nothing added. Run with --reset to remove it and seed again (the audit log "
                "keeps its entries: it is append-only), or seed a fresh database."
            )
            return
        if reset:
            # Checked again inside the transaction; here so a refusal costs nothing.
            others = scale_data.trusts_in_use_besides_scale()
            if others:
                raise CommandError(
                    "Refused: this database holds another trust with schools or people ("
                    + ", ".join(others)
                    + "). --reset runs only on a benchmark database that holds the Scale "
                    "Trust alone. Nothing was changed."
                )
        started = time.perf_counter()
        counts = scale_data.scaled_counts(scale)
        self.stdout.write("Building: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        audit_before = AuditEntry.objects.count() if reset else None
        try:
            report = scale_data.build(
                scale, progress=lambda line: self.stdout.write("  " + line), reset_first=reset
            )
        except scale_data.ResetRefused as exc:
            raise CommandError(f"Refused: {exc}") from None
        if not connection.in_atomic_block:
            # After the commit: as a live database after autovacuum, with visibility maps set
            # (index-only scans) and hint bits written, so benchmarks do not pay for that.
            vacuum_started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            self.stdout.write(
                f"  vacuum: VACUUM (ANALYZE) in {time.perf_counter() - vacuum_started:.1f} s"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Scale data set built in {time.perf_counter() - started:.1f} s.")
        )
        if reset:
            self.stdout.write(
                f"The audit log kept its {audit_before:,} earlier entries (append-only) and now "
                f"holds {AuditEntry.objects.count():,}. For exactly the issue's counts, seed a "
                "fresh database instead (dropdb, createdb, migrate, seed_scale)."
            )
        key = base64.b32encode(bytes.fromhex(scale_data.TOTP_KEY_HEX)).decode()
        self.stdout.write(f"Sign in with the password '{scale_data.BENCH_PASSWORD}' as:")
        for email, role, totp in report.logins:
            extra = f" (TOTP key {key})" if totp else ""
            self.stdout.write(f"  {role}: {email}{extra}")
        self.stdout.write(
            'Current code: manage.py shell -c "from django_otp.oath import TOTP; '
            f"print(TOTP(bytes.fromhex('{scale_data.TOTP_KEY_HEX}')).token())\" "
            "(or an authenticator app with the key above)."
        )
