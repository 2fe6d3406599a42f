"""Every kind of notification: its subject and whether it is confidential.

Confidential kinds (breaches, credentials) say only that something needs attention and link
to it; the email never carries the content (issue: notifications).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    subject: str
    confidential: bool = False
    digestible: bool = False  # may wait for the weekly digest if the person chose it


KINDS: dict[str, Kind] = {
    "accounts.invited": Kind("You have been invited to the policy portal"),
    "accounts.role_changed": Kind("Your roles in the policy portal changed"),
    "accounts.leaver": Kind("A member of staff has left"),
}


def register(code: str, kind: Kind) -> None:
    """Apps register their kinds from AppConfig.ready()."""
    KINDS[code] = kind
