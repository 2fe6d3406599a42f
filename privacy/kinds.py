"""Notification kinds of the privacy app (templates in templates/notifications/email/)."""

from notifications.kinds import Kind, register

SAR_DUE = "privacy.sar_due"


def register_all() -> None:
    # Confidential: the email says only that a request needs attention, never whose.
    register(SAR_DUE, Kind("A subject access request is due soon", confidential=True))
