"""The one error contract of the services (issue 16).

Every service refuses with a subclass of ServiceError: a sentence for the person (`message`,
also `str(error)`) and, where the refusal is about one field of a form, that field's name
(`field`). A view shows the message (`messages.error`) or puts it on the form
(`form.add_error(error.field, error.message)`); it never catches PermissionDenied from a
service: a service says no with its own error, and 403 stays the access helper's answer.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no; `message` is for the person, `field` the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
