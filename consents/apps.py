from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consents"
    verbose_name = "Photo and video consent"

    def ready(self) -> None:
        from notifications.kinds import Kind, register

        register("consents.takedown", Kind("A post must be taken down: consent was withdrawn"))
        register(
            "consents.takedown_reminder",
            Kind("Reminder: a post still has to be taken down", digestible=False),
        )
