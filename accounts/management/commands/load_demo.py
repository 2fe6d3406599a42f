"""Load the demo trust and every app's demo data, then print the logins. Safe to re-run."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = "Create the Star Multi Academy Trust demo (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        ctx = demo.load()
        for config in apps.get_app_configs():
            if config.name == "accounts":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load(ctx)
        self.stdout.write(self.style.SUCCESS("Demo trust ready: " + ctx.trust.name))
        self.stdout.write(f"Every demo password: {demo.DEMO_PASSWORD}\n")
        width = max(len(e) for e, _, _ in ctx.logins)
        for email, role, where in ctx.logins:
            self.stdout.write(f"  {email.ljust(width)}  {role} — {where}")
        for hint in getattr(ctx, "hints", []):
            self.stdout.write(hint)
