"""Size limits of a breach report (issue 14): a description past DESCRIPTION_MAX_CHARS, or a
form whose text fields are past what Django reads into memory (DATA_UPLOAD_MAX_MEMORY_SIZE,
a 3 MB description), is answered with the form and a message saying what to do, never with
Django's bare 400 page."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.forms.utils import ErrorDict
from django.http import HttpRequest

DESCRIPTION_MAX_CHARS = 20_000
TOO_LONG = (
    f"Shorten the description to {DESCRIPTION_MAX_CHARS:,} characters or fewer: attach long "
    "material as a screenshot or PDF instead"
)


def posted(request: HttpRequest):
    """(POST, FILES) of a POST, (None, None) for a GET; RequestDataTooBig propagates."""
    if request.method != "POST":
        return None, None
    return request.POST, request.FILES


def form_for_oversized_post(form_class, **kwargs):
    """The report form, bound to nothing the browser sent (it could not be read), with the
    description's error alone, so the page shows the error summary."""
    form = form_class({}, **kwargs)
    form.full_clean()
    form._errors = ErrorDict()
    form.add_error("description", TOO_LONG)
    return form


__all__ = [
    "DESCRIPTION_MAX_CHARS",
    "TOO_LONG",
    "RequestDataTooBig",
    "form_for_oversized_post",
    "posted",
]
