"""manage.py seed_scale: the largest trust's data set for the scale benchmarks (issue 9)."""

from __future__ import annotations

import base64
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dashboard import scale as scale_data


class Command(BaseCommand):
    help = (
        "Build a largest-trust data set on PostgreSQL (100 schools, 12,000 staff, 100,000 "
        "students, 2,000,000 audit entries ...), multiplied by --scale. Runs once: when the "
        "trust it creates exists, it adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every count by this factor (e.g. 0.001 for a quick run).",
        )

    def handle(self, *args, scale: float, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL COPY: use a PostgreSQL database.")
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        if scale_data.scale_trust_exists():
            self.stdout.write(
                f"The scale data set is already here (trust '{scale_data.SCALE_TRUST_NAME}'): "
                "nothing added. Audit entries cannot be removed (the log is append-only), so "
                "there is no reset: seed a fresh database to start again."
            )
            return
        started = time.perf_counter()
        counts = scale_data.scaled_counts(scale)
        self.stdout.write("Building: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        report = scale_data.build(scale, progress=lambda line: self.stdout.write("  " + line))
        self.stdout.write(
            self.style.SUCCESS(f"Scale data set built in {time.perf_counter() - started:.1f} s.")
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
