"""Rewrap every escrowed data key under the current key-encryption key (docs/security.md).

Procedure: put a new key first in CREDENTIAL_KEYS (keep the old one after it), restart, run
this command, then remove the old key. Safe to run again: rows already under the current key
are skipped.
"""

from django.core.management.base import BaseCommand, CommandError

from escrow.crypto import CryptoError, keyring
from escrow.services import credentials_rewrap


class Command(BaseCommand):
    help = "Rewrap every escrowed data key under the current credential key (safe to re-run)."

    def handle(self, *args, **options):
        ring = keyring()
        try:
            done, remaining = credentials_rewrap()
        except CryptoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Rewrapped {done} data key(s) under {ring.current_id!r}; "
            f"{remaining} still under another key."
        )
        if remaining:
            raise CommandError("Some data keys could not be rewrapped; run the command again.")
