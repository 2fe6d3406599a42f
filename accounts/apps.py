from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Trust, schools and people"

    def ready(self) -> None:
        from notifications.kinds import Kind, register

        from . import access_state, checks  # noqa: F401  (checks: how to get a database)
        from .sso import checks as sso_checks  # noqa: F401  (the SSO_PROVIDERS system check)

        access_state.connect()
        # Issue 20: the password sign-in used while it is off for everyone else.
        register(
            "accounts.emergency_sign_in",
            Kind("A trust administrator used the emergency sign-in"),
        )
