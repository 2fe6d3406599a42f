"""Reactions of the escrow to events of the people-and-access area and of breach handling.
Only wiring: the rules live in the services (STYLE.md: no business rules in signals)."""

from django.dispatch import receiver

from accounts.events import role_removed, user_left
from breaches.signals import case_action_recorded

from .services import (
    breach_action_hook,
    credentials_flag_leaver,
    credentials_flag_role_removed,
)


@receiver(user_left, dispatch_uid="escrow.rotation_on_leaver")
def rotation_on_leaver(sender, user, event=None, actor=None, **kwargs) -> None:
    """5.19: login details a leaver knew must change (same transaction as the leaving)."""
    credentials_flag_leaver(actor=actor, user=user)


@receiver(role_removed, dispatch_uid="escrow.rotation_on_role_removed")
def rotation_on_role_removed(sender, user, school=None, role=None, actor=None, **kwargs) -> None:
    """5.19: someone who retrieved login details lost their role at that school."""
    credentials_flag_role_removed(actor=actor, user=user, school=school)


@receiver(case_action_recorded, dispatch_uid="escrow.rotation_on_breach_action")
def rotation_on_breach_action(sender, case, action, actor=None, **kwargs) -> None:
    """5.19: a case handler recorded that the login details must change."""
    breach_action_hook(case, action, actor)
