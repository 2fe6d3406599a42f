"""Reactions of official accounts to events of other areas. Only wiring: the rule lives in
the service it calls (STYLE.md: no business rules in signals)."""

from django.dispatch import receiver

from accounts.events import user_left

from .services import accounts_flag_leaver


@receiver(user_left, dispatch_uid="channels.flag_leaver_accounts")
def flag_leaver_accounts(sender, user, event=None, actor=None, **kwargs) -> None:
    """5.13: a leaver's official accounts need a new owner (runs in the deactivation's
    transaction, so both happen or neither does)."""
    accounts_flag_leaver(actor=actor, user=user)
