"""Forms of the public register (4.1; issue 15): the search, the report of an account pretending
to be a school (no sign-in), and a school's contact for concerns."""

from __future__ import annotations

from django import forms

from accounts.models import School

from .models import Platform

DESCRIPTION_MAX = 2000


class RegisterSearchForm(forms.Form):
    q = forms.CharField(
        max_length=100,
        required=False,
        label="Search by school, platform or account name",
    )


class PublicFakeReportForm(forms.Form):
    """Every field has a size limit; `website` is the honeypot (hidden from people, so only a
    bot fills it)."""

    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        label="Which school does the account pretend to be?",
        error_messages={"required": "Choose the school the account pretends to be"},
    )
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.none(), required=False, label="Platform (if you know it)"
    )
    handle = forms.CharField(max_length=100, required=False, label="Account name")
    url = forms.URLField(
        max_length=500,
        required=False,
        label="Address (URL)",
        assume_scheme="https",
        error_messages={
            "invalid": "Enter the address as a web address, for example "
            "https://www.instagram.com/name"
        },
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What you saw",
        help_text=f"At most {DESCRIPTION_MAX} characters. Please do not include children's names.",
        error_messages={
            "required": "Say what you saw",
            "max_length": f"Shorten what you saw to {DESCRIPTION_MAX} characters or fewer",
        },
    )
    reply_to = forms.EmailField(
        max_length=200,
        required=False,
        label="Your email address (optional)",
        help_text="Only if you would like the school to reply. It is used for nothing else.",
        error_messages={
            "invalid": "Enter an email address like name@example.com, or leave it empty"
        },
    )
    website = forms.CharField(max_length=200, required=False, label="Leave this empty")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.order_by("name")
        self.fields["platform"].queryset = Platform.objects.order_by("name")
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        data = super().clean()
        if not data.get("handle") and not data.get("url") and "url" not in self.errors:
            self.add_error("handle", "Give the account's name or its address")
        return data


class ConcernsContactForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Who to contact",
        help_text="For example School office.",
        error_messages={
            "required": "Enter who the public should contact, for example School office"
        },
    )
    email = forms.EmailField(
        error_messages={
            "required": "Enter the email address for concerns",
            "invalid": "Enter an email address like office@school.sch.uk",
        }
    )
    phone = forms.CharField(max_length=40, required=False)
