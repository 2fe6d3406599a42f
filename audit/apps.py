from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from portal.home_cards import register_home_cards

        from . import receivers  # noqa: F401  (connects the sign-in receivers)
        from .selectors import home_cards

        register_home_cards(home_cards)
