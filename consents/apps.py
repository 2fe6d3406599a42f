from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consents"
    verbose_name = "Photo and video consent"

    def ready(self) -> None:
        from notifications.kinds import Kind, register

        register("consents.takedown", Kind("A post must be taken down: consent was withdrawn"))
        register("consents.takedown_reminder", Kind("Reminder: a post still has to be taken down"))
        register(
            "consents.rollover",
            Kind(
                "New school year: import the MIS file and start the consent round",
                digestible=True,
            ),
        )
        # To parents and carers (no account): their personal link of the consent round.
        register("consents.round_link", Kind("Photo and video consent: please give your answer"))
        register(
            "consents.round_reminder",
            Kind("Reminder: photo and video consent, please give your answer"),
        )
        from portal.figures import register_figures
        from portal.home_cards import register_home_cards

        from .figures import consent_dashboard_figures

        register_figures(consent_dashboard_figures)

        from .selectors import home_cards

        register_home_cards(home_cards)

        # The Celery tasks, registered at start-up: the import service queues run_import by
        # name (consents.tasks imports the service, so the service does not import it).
        from . import tasks  # noqa: F401
