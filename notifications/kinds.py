"""Every kind of notification: its subject and whether it is confidential.

Confidential kinds (breaches, credentials) say only that something needs attention and link
to it; the email never carries the content (issue: notifications; clauses 4.5c and 7).

Each registered kind has two templates, found through the template loaders, so they live in
the `templates/` directory of the app that registers the kind:

    notifications/email/<code>.txt     plain-text body
    notifications/email/<code>.html    HTML body

Both extend `notifications/email/base.txt` / `base.html` (or the `_confidential` variants).
`tests/notifications/test_emails.py` fails for a registered kind without both templates.
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


def get_kind(code: str) -> Kind:
    """The registered kind, or a generic confidential one for a code no longer registered.

    Rows outlive code: a kind removed from the registry must still render safely, and the
    safe default is to say nothing but "open the portal".
    """
    return KINDS.get(code) or Kind("Something in the policy portal needs your attention", True)


# Context keys that name what a notification is about, in order of preference (the services
# put labels, never secrets, in the context). Issue 18: a list of seven "Please read and
# acknowledge a policy" must say which policies.
_OBJECT_KEYS = ("policy_title", "account", "handle", "site", "name", "role_label")


def object_label(kind: Kind, context: dict | None) -> str:
    """What the notification is about, from its context ("Social Media Policy, version 2"),
    or "" for a confidential kind: those name nothing outside the page they link to."""
    if kind.confidential or not context:
        return ""
    for key in _OBJECT_KEYS:
        value = context.get(key)
        if value:
            label = str(value)
            if key == "policy_title" and context.get("version"):
                label += f", version {context['version']}"
            return label
    return ""


def template_names(code: str) -> tuple[str, str]:
    """(text, html) template names of a kind; the confidential pointer for an unknown code."""
    if code not in KINDS:
        code = "_confidential"
    return f"notifications/email/{code}.txt", f"notifications/email/{code}.html"
