"""Print the local OpenID Connect provider's configuration for the demo (`make oidc-demo`)."""

from __future__ import annotations

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.sso.demo_provider import (
    DEMO_PORT,
    DEMO_SECRET_ENV,
    demo_accounts,
    provider_config,
)


class Command(BaseCommand):
    help = "Print the demo identity provider's config (clients and the demo trust's people)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo identity provider is for development only.")
        secret = os.environ.get(DEMO_SECRET_ENV)
        if not secret:
            raise CommandError(f"Set {DEMO_SECRET_ENV} (config/settings/dev.py does).")
        config = provider_config(
            issuer=f"http://127.0.0.1:{DEMO_PORT}",
            port=DEMO_PORT,
            site_urls=sorted({settings.SITE_URL, "http://localhost:8000", "http://127.0.0.1:8000"}),
            accounts=demo_accounts(),
            secret=secret,
        )
        self.stdout.write(json.dumps(config, indent=2))
