from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Trust, schools and people"

    def ready(self) -> None:
        # checks: says how to get a database in development; receivers: sign-ins, sign-outs,
        # failed sign-ins and lockouts in the audit log.
        from . import access_state, checks, receivers  # noqa: F401
        from .sso import checks as sso_checks  # noqa: F401  (the SSO_PROVIDERS system check)

        access_state.connect()
