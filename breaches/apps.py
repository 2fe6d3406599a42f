from django.apps import AppConfig


class BreachesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "breaches"
    verbose_name = "Breach reports and cases"

    def ready(self) -> None:
        from notifications.kinds import Kind, register

        # Confidential: the email says only that something needs attention, with a link.
        for code, subject in KINDS.items():
            register(code, Kind(subject, confidential=code not in PUBLIC_KINDS))
        from portal.figures import register_figures
        from portal.home_cards import register_home_cards

        from .figures import breach_dashboard_figures

        register_figures(breach_dashboard_figures)

        from .selectors import home_cards

        register_home_cards(home_cards)


KINDS = {
    "breaches.reported": "A breach report needs your attention",
    "breaches.receipt": "Your report was received",
    "breaches.updated": "A case you handle changed",
    "breaches.assigned": "A case was given to you",
    "breaches.escalated": "A report was not acknowledged in time",
    "breaches.inactive": "A case has had no activity",
    "breaches.disposal_due": "Cases are due for disposal",
    "breaches.declaration": "A member of staff made a declaration",
    "breaches.declaration_acknowledged": "Your declaration was acknowledged",
}
# Kinds whose email may say what happened (nothing confidential in them).
PUBLIC_KINDS = {"breaches.receipt", "breaches.declaration_acknowledged"}
