"""The audit view's search form (clause 6). Read-only: it filters, it never changes a thing."""

from __future__ import annotations

from django import forms

from accounts.models import School

from .selectors import AuditFilters

NAMESPACES = (
    "access.",
    "account.",
    "auth.",
    "breach.",
    "consent.",
    "credential.",
    "policy.",
    "role.",
    "user.",
)


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        required=False,
        max_length=64,
        label="Action",
        help_text='A code or its start, e.g. "credential." or "auth.login_failed".',
        widget=forms.TextInput(attrs={"list": "audit-namespaces"}),
    )
    actor = forms.CharField(
        required=False, max_length=254, label="Done by", help_text="Name or email address."
    )
    target = forms.CharField(
        required=False, max_length=200, label="Done to", help_text="Name, id or type."
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, empty_label="Any school"
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        # Only schools the viewer may see can be chosen (STYLE.md: choices from visible_to).
        self.fields["school"].queryset = schools

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> AuditFilters | None:
        """The filters to apply: none for an unsubmitted form, None for an invalid one (the
        view then lists nothing rather than everything, and shows the errors)."""
        if not self.is_bound:
            return AuditFilters()
        if not self.is_valid():
            return None
        d = self.cleaned_data
        return AuditFilters(
            action=d["action"],
            actor=d["actor"],
            target=d["target"],
            school=d["school"],
            date_from=d["date_from"],
            date_to=d["date_to"],
        )
