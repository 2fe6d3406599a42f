from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from . import audit_alerts  # noqa: F401  (the audit chain's alerts and checkpoint email)
