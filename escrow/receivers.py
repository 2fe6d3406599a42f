"""Reactions of the escrow to events of the people-and-access area. Only wiring: the rules
live in the services (STYLE.md: no business rules in signals)."""

from django.dispatch import receiver

from accounts.events import role_removed, user_left

from .services import credentials_flag_leaver, credentials_flag_role_removed


@receiver(user_left, dispatch_uid="escrow.rotation_on_leaver")
def rotation_on_leaver(sender, user, event=None, actor=None, **kwargs) -> None:
    """5.19: login details a leaver knew must change (same transaction as the leaving)."""
    credentials_flag_leaver(actor=actor, user=user)


@receiver(role_removed, dispatch_uid="escrow.rotation_on_role_removed")
def rotation_on_role_removed(sender, user, school=None, role=None, actor=None, **kwargs) -> None:
    """5.19: someone who retrieved login details lost their role at that school."""
    credentials_flag_role_removed(actor=actor, user=user, school=school)
