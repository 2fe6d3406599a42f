"""The error summary every form gets from base.html (STYLE.md, "Forms people can fix").

No template has to ask for it: the tags look through the page's context for bound forms (and
formsets) with errors. `{% error_title_prefix %}` puts "Error: " before the page title;
`{% error_summary %}` draws the box at the top of the page with a link to each field, which
static/js/portal.js focuses on load (the GOV.UK Design System's error summary).
"""

from __future__ import annotations

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


def _forms_in(context) -> list[forms.BaseForm]:
    found: list[forms.BaseForm] = []
    seen: set[int] = set()
    for layer in context.dicts:
        for value in layer.values():
            candidates = []
            if isinstance(value, forms.BaseForm):
                candidates = [value]
            elif isinstance(value, BaseFormSet):
                candidates = [*value.forms, value]
            for form in candidates:
                if id(form) not in seen:
                    seen.add(id(form))
                    found.append(form)
    return found


def _has_errors(form) -> bool:
    if isinstance(form, BaseFormSet):
        return form.is_bound and bool(form.non_form_errors())
    # `errors` runs validation on a bound form; an unbound form has none.
    return form.is_bound and bool(form.errors)


def error_items(context) -> list[dict]:
    """[{"text": message, "href": "#id_field" or "", "name": the field's input name}] for
    every error on the page. portal.js falls back on the name when a template draws a field
    with ids of its own."""
    items: list[dict] = []
    for form in _forms_in(context):
        if not _has_errors(form):
            continue
        if isinstance(form, BaseFormSet):
            items += [{"text": str(e), "href": "", "name": ""} for e in form.non_form_errors()]
            continue
        first_field = next(iter(form.fields), None)
        for name, errors in form.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
                # A problem with the form as a whole: link to its first field.
                field = form[first_field] if first_field else None
            else:
                field = form[name]
            target = (field.id_for_label or field.auto_id) if field is not None else ""
            for error in errors:
                items.append(
                    {
                        "text": str(error),
                        "href": f"#{target}" if target else "",
                        "name": field.html_name if field is not None else "",
                    }
                )
    return items


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    return "Error: " if error_items(context) else ""


@register.inclusion_tag("partials/error_summary.html", takes_context=True)
def error_summary(context) -> dict:
    return {"error_items": error_items(context)}
