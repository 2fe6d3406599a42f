from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Policy register"

    def ready(self) -> None:
        from notifications.kinds import Kind, register
        from portal.figures import register_figures
        from portal.home_cards import register_home_cards

        from .figures import policy_dashboard_figures
        from .home import waiting_cards

        register("policies.review_due", Kind("A policy you own is due for review"))
        register("policies.review_overdue", Kind("A policy you own is overdue for review"))
        register("policies.reviewed", Kind("A review of your policy was recorded"))
        register("policies.owner_assigned", Kind("You are now the owner of a policy"))
        register(
            "policies.acknowledge_requested",
            Kind("Please read and acknowledge a policy", digestible=True),
        )
        register("policies.weekly_digest", Kind("Policies due for review this week"))
        register_home_cards(waiting_cards)
        register_figures(policy_dashboard_figures)
