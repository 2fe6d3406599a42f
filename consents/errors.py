"""The error of the consent services (portal.errors.ServiceError: a message, optional field),
in a module of its own so that every consent module can raise it without importing another."""

from portal.errors import ServiceError


class ConsentError(ServiceError):
    """A consent rule was broken; the message is for the user."""
