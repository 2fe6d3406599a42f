"""Forms for trust administrators: schools, people, roles, invitations, leavers.

Every choice of school comes from a `visible_to`-style selector of the person filling the
form (STYLE.md, Access), so a posted id outside it is a form error, never a change.
"""

from __future__ import annotations

import re

from django import forms

from ..models import School, SchoolEmailDomain, User
from ..roles import SchoolRole, TrustRoleKind
from ..selectors import schools_administered_by, schools_visible_to
from ..services import AccountsError, normalise_domains

ROLE_FILTER_CHOICES = [
    ("", "Any role"),
    ("School roles", SchoolRole.choices),
    ("Trust roles", TrustRoleKind.choices),
]


class SchoolForm(forms.ModelForm):
    domains = forms.CharField(
        label="Email domains the school owns",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. alder.sch.uk. Official accounts must use these (4.5a).",
    )

    class Meta:
        model = School
        fields = ["name", "urn", "phase", "age_from", "age_to"]
        labels = {"age_from": "Youngest pupil age", "age_to": "Oldest pupil age"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["domains"] = "\n".join(
                self.instance.email_domains.values_list("domain", flat=True)
            )

    def clean_urn(self) -> str:
        urn = self.cleaned_data["urn"].strip()
        if not re.fullmatch(r"\d{6}", urn):
            raise forms.ValidationError(
                "A URN is the six-digit number from Get Information about Schools."
            )
        return urn

    def clean_domains(self) -> list[str]:
        try:
            domains = normalise_domains(self.cleaned_data["domains"])
        except AccountsError as exc:
            raise forms.ValidationError(str(exc)) from None
        if not domains:
            raise forms.ValidationError("Give at least one email domain.")
        taken = SchoolEmailDomain.objects.filter(domain__in=domains).select_related("school")
        if self.instance.pk:
            taken = taken.exclude(school=self.instance)
        clash = taken.first()
        if clash is not None:
            raise forms.ValidationError(
                f"The domain {clash.domain} already belongs to {clash.school}."
            )
        return domains

    def clean(self):
        cleaned = super().clean()
        age_from, age_to = cleaned.get("age_from"), cleaned.get("age_to")
        if age_from is not None and age_to is not None and age_from > age_to:
            self.add_error("age_to", "The oldest age must not be below the youngest.")
        return cleaned

    def service_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "urn", "phase", "age_from", "age_to")}


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="Name or email", required=False)
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, empty_label="Any school"
    )
    role = forms.ChoiceField(choices=ROLE_FILTER_CHOICES, required=False)
    active = forms.ChoiceField(
        choices=[("", "Active and deactivated"), ("yes", "Active"), ("no", "Deactivated")],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools_visible_to(user)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data.get("active") or "")
        return {
            "search": (data.get("q") or "").strip(),
            "school": data.get("school"),
            "role": data.get("role") or "",
            "active": active,
        }


class SchoolRoleForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none())
    role = forms.ChoiceField(choices=SchoolRole.choices)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, prefix="school_role", **kwargs)
        self.fields["school"].queryset = schools_administered_by(actor)


class TrustRoleForm(forms.Form):
    trust_role = forms.ChoiceField(label="Trust role", choices=TrustRoleKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="trust_role", **kwargs)


class InviteForm(forms.Form):
    full_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter the person's full name"}
    )
    email = forms.EmailField(
        help_text="Their work email: the invitation is sent there.",
        error_messages={
            "required": "Enter their work email address",
            "invalid": "Enter an email address in the right format, like name@school.sch.uk",
        },
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, empty_label="No school (trust role only)"
    )
    role = forms.ChoiceField(
        label="Role at the school", choices=[("", "—")] + SchoolRole.choices, required=False
    )
    trust_role = forms.ChoiceField(choices=[("", "None")] + TrustRoleKind.choices, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools_administered_by(actor)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "This person already has an account. Open their page to add a role, or to "
                "resend the invitation if they have not set a password yet."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        school, role, trust_role = (
            cleaned.get("school"),
            cleaned.get("role"),
            cleaned.get("trust_role"),
        )
        if school and not role:
            self.add_error("role", f"Choose their role at {school.name}")
        elif role and not school:
            self.add_error("school", "Choose the school where they will hold this role")
        elif not school and not trust_role and not self.errors:
            raise forms.ValidationError(
                "Choose a first role: a school and their role there, or a trust role"
            )
        return cleaned


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Kept with the leaver record, e.g. “Left the school on 31 August”.",
    )
