from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.models import User
from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm, schools_visible_to

from .evidence import EvidenceRefused, clean
from .models import CaseEntry, Category, Declaration, Outcome
from .report_limits import DESCRIPTION_MAX_CHARS, TOO_LONG


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """Quick to fill in on a phone (7.3: notify immediately)."""

    school = forms.ModelChoiceField(
        queryset=None,
        error_messages={"required": "Choose the school you are reporting to"},
    )
    category = forms.ChoiceField(
        choices=[("", "Choose…"), *Category.choices],
        label="What kind of breach?",
        error_messages={"required": "Choose the kind of breach that is nearest to what happened"},
    )
    seen_at = forms.DateTimeField(
        label="When did you see it?",
        help_text="For example 3/12/2026 14:30. If you are not sure, give your best guess.",
        # A text field in the format people write (GOV.UK advice: no date picker), which a
        # keyboard or a screen reader fills like any other; ISO is accepted too.
        input_formats=[
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y %H.%M",
            "%d/%m/%Y %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%d/%m/%Y",
        ],
        widget=forms.DateTimeInput(
            format="%d/%m/%Y %H:%M", attrs={"autocomplete": "off", "inputmode": "text"}
        ),
        error_messages={
            "required": "Enter when you saw it, for example 3/12/2026 14:30",
            "invalid": "Enter when you saw it as a date and a time, for example 3/12/2026 14:30",
        },
    )
    platform = forms.CharField(
        required=False,
        max_length=80,
        label="Platform (if online)",
        error_messages={"max_length": "Enter the platform's name in 80 characters or fewer"},
    )
    link = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Link (if online)",
        error_messages={
            "invalid": "Enter the link as a web address, for example "
            "https://www.instagram.com/p/abc123",
        },
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What happened?",
        help_text="What you saw, where, and who posted it if you know.",
        max_length=DESCRIPTION_MAX_CHARS,
        error_messages={
            "required": "Describe what happened: what you saw and where",
            "max_length": TOO_LONG,
        },
    )
    subject = forms.ModelChoiceField(
        queryset=None, required=False, label="Member of staff concerned (if any)"
    )
    students_involved = forms.BooleanField(required=False, label="Students are involved")
    account = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Official account concerned (if any)",
        help_text="Naming an account asks its owner to change its login details (5.19).",
    )
    evidence = MultipleFileField(required=False, label="Evidence (photos or PDF)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = schools_visible_to(user, Perm.STAFF)
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.fields["school"].initial = schools[0]
        # Staff of the schools the reporter works at; the service checks the chosen school.
        self.fields["subject"].queryset = (
            User.objects.filter(
                is_active=True, memberships__school__in=school_ids_with_perm(user, Perm.STAFF)
            )
            .exclude(pk=user.pk)
            .distinct()
            .order_by("full_name")
        )

        from channels.models import OfficialAccount

        self.fields["account"].queryset = (
            OfficialAccount.objects.filter(
                school__in=school_ids_with_perm(user, Perm.STAFF),
                status__in=["active", "suspended"],
            )
            .select_related("platform")
            .order_by("handle")
        )

    def clean(self):
        data = super().clean()
        account, school = data.get("account"), data.get("school")
        if account and school and account.school_id != school.pk:
            self.add_error(
                "account",
                f"Choose an account of {school.name}, or leave this empty: "
                f"{account.handle} belongs to another school",
            )
        return data

    def clean_seen_at(self):
        seen = self.cleaned_data["seen_at"]
        if seen > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(
                "Enter a time that has already happened: when you saw it, not a time to come"
            )
        return seen

    def clean_evidence(self):
        cleaned = []
        for upload in self.cleaned_data["evidence"]:
            data = upload.read()
            try:
                clean(data)
            except EvidenceRefused as exc:
                raise forms.ValidationError(f"{upload.name}: {exc}") from None
            cleaned.append(data)
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Note")


class ActionForm(forms.Form):
    # Starts on "Choose an action": a wrong action must not be one click away (issue 15). The
    # named account's rotation and review are started from their own buttons
    # (breaches/account_actions.py), which do what they say, not just record it.
    action = forms.ChoiceField(
        choices=[
            ("", "Choose an action"),
            *(
                (value, label)
                for value, label in CaseEntry.Action.choices
                if value not in ("credentials_rotated", "account_review")
            ),
        ],
        error_messages={"required": "Choose the action that was taken"},
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Details"
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Summary of the reasons"
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, label="Case owner")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = candidates


class DeclarationForm(forms.ModelForm):
    school = forms.ModelChoiceField(queryset=None)
    link = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Declaration
        fields = ["school", "site", "link", "disclaimer_present"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools_visible_to(user, Perm.STAFF)
