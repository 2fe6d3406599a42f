from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """The audit log's pages (docs/architecture.md, "Audit log"). The log itself, its one
    entry point `audit.services.record` and its chain live in `audit`, below `accounts`; who
    may read which entries is an access rule of `accounts`, so the pages that apply it sit
    here, above both. Owns no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "activity"
    verbose_name = "Audit log pages"

    def ready(self) -> None:
        from portal.home_cards import register_home_cards

        from .selectors import home_cards

        register_home_cards(home_cards)
