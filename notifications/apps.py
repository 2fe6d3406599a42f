from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        # audit_alerts: the audit chain's alerts and checkpoint email; account_notices: role
        # changes, leavers and the emergency sign-in (receivers of accounts.events).
        from . import account_notices, audit_alerts  # noqa: F401
