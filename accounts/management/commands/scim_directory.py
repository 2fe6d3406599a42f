"""Directories that provision people over SCIM (issue 20): create one, rotate or revoke its
token, list them. A token is printed once and never stored (only its SHA-256 digest)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.scim.models import Directory
from accounts.scim.services import (
    ProvisioningError,
    directory_create,
    directory_revoke,
    directory_token_rotate,
)


class Command(BaseCommand):
    help = "Create a SCIM directory and its bearer token, rotate or revoke a token, or list."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new directory; prints its token once")
        create.add_argument("name")
        create.add_argument(
            "--school",
            action="append",
            default=[],
            metavar="URN",
            help="limit it to this school's email domains (repeat; default: every school)",
        )
        rotate = sub.add_parser("rotate", help="a new token; the old one stops working")
        rotate.add_argument("name")
        revoke = sub.add_parser("revoke", help="the token stops working")
        revoke.add_argument("name")
        sub.add_parser("list", help="directories, their token hints and last use")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        try:
            if action == "create":
                directory, token = directory_create(
                    actor=None, name=options["name"], school_urns=options["school"]
                )
                self._token(directory, token)
            elif action == "rotate":
                directory = self._get(options["name"])
                self._token(directory, directory_token_rotate(actor=None, directory=directory))
            elif action == "revoke":
                directory_revoke(actor=None, directory=self._get(options["name"]))
                self.stdout.write(f"Revoked: {options['name']}")
            else:
                for d in Directory.objects.prefetch_related("schools"):
                    schools = ", ".join(s.urn for s in d.schools.all()) or "every school"
                    state = "revoked" if d.revoked_at else f"last used {d.last_used_at or 'never'}"
                    self.stdout.write(f"{d.name}  {d.token_hint}…  {schools}  {state}")
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from None

    def _get(self, name: str) -> Directory:
        directory = Directory.objects.filter(name=name).first()
        if directory is None:
            raise CommandError(f"No directory called {name!r}.")
        return directory

    def _token(self, directory: Directory, token: str) -> None:
        self.stdout.write(f"Directory: {directory.name}")
        self.stdout.write(f"Tenant URL: {settings.SITE_URL.rstrip('/')}/scim/v2/")
        self.stdout.write(f"Secret token (shown once, store it in the directory now): {token}")
