from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "channels"
    label = "channels"
    verbose_name = "Official accounts"

    def ready(self) -> None:
        from notifications.kinds import register
        from portal.figures import register_figures
        from portal.home_cards import register_home_cards

        from . import receivers  # noqa: F401  (connects to accounts.events.user_left)
        from .home import home_cards

        for code, kind in notification_kinds().items():
            register(code, kind)
        register_home_cards(home_cards)
        from .figures import channel_dashboard_figures

        register_figures(channel_dashboard_figures)
        from .followups import followup_dashboard_figures

        register_figures(followup_dashboard_figures)


def notification_kinds() -> dict:
    from notifications.kinds import Kind

    return {
        "channels.account_submitted": Kind("An official account is waiting for your approval"),
        "channels.account_approved": Kind("Your official account was approved"),
        "channels.account_rejected": Kind("Your official account was not approved"),
        "channels.changes_requested": Kind("Changes are needed to your official account"),
        "channels.account_activated": Kind("Your official account is now active"),
        "channels.account_suspended": Kind("An official account was suspended"),
        "channels.account_reinstated": Kind("An official account is active again"),
        "channels.account_closed": Kind("An official account was closed"),
        "channels.account_reviewed": Kind("An official account was reviewed"),
        "channels.account_handed_over": Kind("An official account was handed to you"),
        "channels.needs_new_owner": Kind("An official account needs a new owner"),
        "channels.approval_overdue": Kind(
            "An official account has waited too long for approval", digestible=True
        ),
        "channels.review_overdue": Kind(
            "The annual review of an official account is overdue", digestible=True
        ),
        "channels.comment_reported": Kind("An inappropriate comment was reported"),
        "channels.fake_reported": Kind("A suspected fake account using your school's name"),
        "channels.fake_resolved": Kind("Your report of a suspected fake account was resolved"),
        "channels.followup_assigned": Kind(
            "A concern from an account review is yours to deal with"
        ),
        "channels.followup_due": Kind(
            "A concern from an account review has reached its due date", digestible=True
        ),
        "channels.followup_resolved": Kind("A concern from an account review was resolved"),
    }
