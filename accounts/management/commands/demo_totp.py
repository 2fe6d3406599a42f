"""Print the current two-factor code of a demo person (demo and development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.two_factor import base32_secret, confirmed_totp_device, current_totp_code

DEMO_EMAIL_SUFFIX = "starmat.example"


class Command(BaseCommand):
    help = "Print the current TOTP code and key of a demo person (needs DEBUG=True)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        email = options["email"].strip().lower()
        # A second factor is only worth having if nobody can print it: refuse anywhere but a
        # development machine, and for anyone but the made-up demo people.
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DEBUG=True (development).")
        if not email.endswith(DEMO_EMAIL_SUFFIX):
            raise CommandError(f"demo_totp works only for demo people (@…{DEMO_EMAIL_SUFFIX}).")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No demo person {email}. Run: manage.py load_demo")
        device = confirmed_totp_device(user)
        if device is None:
            raise CommandError(f"{email} has no authenticator (their roles do not need one).")
        self.stdout.write(f"Code now: {current_totp_code(device)}")
        self.stdout.write(f"Key for an authenticator app: {base32_secret(device)}")
