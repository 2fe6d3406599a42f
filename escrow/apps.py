from django.apps import AppConfig


class EscrowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escrow"
    label = "escrow"
    verbose_name = "Credential escrow"

    def ready(self) -> None:
        from channels.gates import ESCROW_GATE, register_gate
        from notifications.kinds import register
        from portal.figures import register_figures
        from portal.home_cards import register_home_cards

        # A report itself changes nothing here: its subject must not learn of it (issue 14).
        # The case handlers start a rotation from the case, when they choose (receivers).
        from . import receivers  # noqa: F401  (accounts.events, breaches.signals)
        from .figures import escrow_dashboard_figures
        from .home import home_cards
        from .selectors import escrow_gate

        for code, kind in notification_kinds().items():
            register(code, kind)
        register_gate(ESCROW_GATE, escrow_gate)
        register_home_cards(home_cards)
        register_figures(escrow_dashboard_figures)


def notification_kinds() -> dict:
    """Every escrow kind is confidential: the email says only "open the portal" (4.5c)."""
    from notifications.kinds import Kind

    subjects = {
        "escrow.retrieved": "Login details of your official account were retrieved",
        "escrow.break_glass": "Emergency retrieval of an official account's login details",
        "escrow.rate_limited": "Too many retrievals of login details",
        "escrow.rotation_required": "The password of an official account must be changed",
        "escrow.rotation_due": "The password of an official account is due to be changed",
        "escrow.rotation_overdue": "The password of an official account is overdue for change",
        "escrow.check_due": "The yearly check of escrowed login details is due",
    }
    return {code: Kind(subject, confidential=True) for code, subject in subjects.items()}
