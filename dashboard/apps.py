from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self) -> None:
        from audit.signals import change_committed

        from .cache import note_change

        # A viewer's own change makes their next dashboard view recompute (dashboard/cache.py).
        change_committed.connect(note_change, dispatch_uid="dashboard.cache.note_change")
