"""Forms of the privacy app: who the request is about and when it came (issue 19)."""

from __future__ import annotations

from django import forms

from accounts.models import School
from consents.forms import UK_DATE_FORMATS

from .models import RightsRequest, SubjectKind
from .selectors import Person, find_person


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=UK_DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        help_text="For example 3/12/2026.",
        error_messages={
            "required": "Enter the date the request was received, for example 3/12/2026",
            "invalid": "Enter the date as a real date, for example 3/12/2026",
        },
    )


class PersonForm(forms.Form):
    """Names the person: staff by email; students by MIS id and carers by email, at a school."""

    kind = forms.ChoiceField(
        choices=SubjectKind.choices,
        label="Who is the request about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the person is staff, a student or a carer"},
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.order_by("name"),
        required=False,
        label="School (students and carers)",
    )
    identifier = forms.CharField(
        label="Email address (staff, carers) or MIS identifier (students)",
        max_length=254,
        error_messages={"required": "Enter the person's email address or MIS identifier"},
    )
    received_on = _date_field("Date the request was received")

    person: Person | None = None

    def clean(self):
        data = super().clean()
        kind, ident = data.get("kind"), data.get("identifier")
        if kind and ident:
            if kind != SubjectKind.STAFF and not data.get("school"):
                self.add_error("school", "Choose the school of the student or carer")
                return data
            self.person = find_person(kind, ident, data.get("school"))
            if self.person is None:
                self.add_error(
                    "identifier",
                    "No record matches: check the email address or MIS identifier and school",
                )
        return data


class RightsRequestForm(PersonForm):
    request_kind = forms.ChoiceField(
        choices=RightsRequest.Kind.choices,
        label="What does the person ask for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose erasure or rectification"},
    )
    details = forms.CharField(
        label="What they asked for",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Describe what the person asked for"},
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[c for c in RightsRequest.Outcome.choices if c[0] != RightsRequest.Outcome.OPEN],
        widget=forms.RadioSelect,
        label="Outcome",
        error_messages={"required": "Choose the outcome"},
    )
    reason = forms.CharField(
        label="Reason and legal basis (required unless done in full)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome and outcome != RightsRequest.Outcome.DONE and not data.get("reason", "").strip():
            self.add_error(
                "reason",
                "Give the reason and the law that lets the trust keep the data, "
                "for example KCSIE for safeguarding records",
            )
        return data
