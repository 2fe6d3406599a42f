from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data protection (issue 19): retention, subject access, rights requests. The top
    layer beside dashboard: it may import every app; lower apps never import it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        from . import kinds, subjects

        subjects.register_all()
        kinds.register_all()
