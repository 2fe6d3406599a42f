"""Forms of official accounts. Every choice of school, platform or person comes from the
selectors, so nothing outside what the person may choose can be posted (STYLE.md, Access)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.models import School, User
from accounts.selectors import staff_of_school

from . import selectors
from .models import YEAR_GROUPS, AccountReview, OfficialAccount, Platform
from .services import ACCOUNT_DETAIL_FIELDS, ATTESTATIONS, registration_problems

PURPOSE_MIN_LENGTH = 40


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class AccountForm(forms.ModelForm):
    """Registration (4.2–4.5). The school is fixed before the form is shown, so owner and
    deputy choices are that school's staff; the checks of services.registration_problems run
    here too so the person sees every problem at once."""

    owner = PersonChoiceField(queryset=User.objects.none())
    deputies = PeopleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one, so the account never depends on one person.",
    )
    url = forms.URLField(
        label="Address (URL)",
        max_length=300,
        assume_scheme="https",
        help_text="For example https://www.instagram.com/northfieldprimary",
        error_messages={
            "required": "Enter the account's web address, for example "
            "https://www.instagram.com/northfieldprimary",
            "invalid": "Enter the account's web address, for example "
            "https://www.instagram.com/northfieldprimary",
        },
    )
    audience_year_groups = forms.MultipleChoiceField(
        choices=YEAR_GROUPS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Audience: year groups",
    )

    class Meta:
        model = OfficialAccount
        fields = [*ACCOUNT_DETAIL_FIELDS, "owner", "deputies", *ATTESTATIONS]
        labels = {
            "purpose": "Purpose: the pedagogical or business reason",
            "students_can_comment": "Students can comment",
            "students_can_upload_images": "Students can upload images",
            "students_can_add_text": "Students can add their own text",
            **ATTESTATIONS,
        }
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        staff = staff_of_school(school).order_by("full_name")
        self.fields["owner"].queryset = staff
        self.fields["deputies"].queryset = staff
        platforms = selectors.active_platforms()
        if self.instance.pk:
            platforms = Platform.objects.filter(pk=self.instance.platform_id) | platforms
        self.fields["platform"].queryset = platforms.distinct()
        self.fields["platform"].label_from_instance = lambda p: (
            f"{p.name} (minimum age {p.min_age})"
        )
        self.fields[
            "purpose"
        ].help_text = (
            f"Why the school needs this account (4.2), at least {PURPOSE_MIN_LENGTH} characters."
        )
        for name in ATTESTATIONS:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = (
                "Tick to confirm this, as the policy asks of every official account"
            )
        self.fields["platform"].error_messages["required"] = "Choose the platform"
        self.fields["handle"].error_messages["required"] = (
            "Enter the account's name on the platform, for example @northfieldprimary"
        )
        self.fields["purpose"].error_messages["required"] = (
            "Describe why the school needs this account (4.2)"
        )
        self.fields["login_email"].error_messages.update(
            {
                "required": "Enter the school email address the account signs in with",
                "invalid": "Enter an email address in the right format, like office@school.sch.uk",
            }
        )
        self.fields["owner"].error_messages.update(
            {
                "required": "Choose who owns the account",
                "invalid_choice": f"Choose the owner from the staff of {school.name} in the list",
            }
        )
        self.fields["deputies"].error_messages["required"] = (
            "Choose at least one deputy, so the account never depends on one person"
        )
        if self.instance.pk:
            self.initial["deputies"] = list(self.instance.deputies.values_list("pk", flat=True))

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data["purpose"].strip()
        if len(purpose) < PURPOSE_MIN_LENGTH:
            raise forms.ValidationError(
                f"Describe the pedagogical or business reason in at least {PURPOSE_MIN_LENGTH} "
                f"characters (4.2); this has {len(purpose)}."
            )
        return purpose

    def clean(self):
        data = super().clean()
        owner, deputies = data.get("owner"), list(data.get("deputies") or [])
        if owner and owner in deputies:
            self.add_error(
                "deputies",
                f"Untick {owner.full_name} as a deputy: they are the owner. Choose someone else.",
            )
        if not data.get("audience_year_groups") and not data.get("audience_adults"):
            self.add_error(
                "audience_year_groups",
                "Tick the year groups the account is for, or tick that it is for adults",
            )
        needed = ["platform", "handle", "url", "login_email"]
        if all(data.get(f) for f in needed):
            problems = registration_problems(
                school=self.school,
                platform=data["platform"],
                handle=data["handle"],
                url=data["url"],
                login_email=data["login_email"],
                year_groups=data.get("audience_year_groups") or [],
                students_can_interact=any(
                    data.get(f)
                    for f in (
                        "students_can_comment",
                        "students_can_upload_images",
                        "students_can_add_text",
                    )
                ),
                exclude_pk=self.instance.pk,
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("owner", "deputies")}


class SchoolChoiceForm(forms.Form):
    """Step one of registration when the teacher registers for more than one school."""

    school = forms.ModelChoiceField(queryset=School.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = selectors.registration_schools_for(user)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason (needed to reject or ask for changes; the requester sees it)",
    )


class ReviewForm(forms.Form):
    """The annual review checklist (4.4, 4.5d, 4.5i, 4.5j). A check left unticked is a concern:
    it needs a note, an owner and a due date, and opens a follow-up (channels.followups)."""

    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when a check fails: what is wrong and what will be done.",
    )
    followup_owner = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who will deal with it (when a check fails)",
    )
    followup_due = forms.DateField(
        required=False,
        label="To be done by (when a check fails)",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        # A date input sends and shows ISO dates, whatever the locale's display format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example 31/1/2027.",
        error_messages={"invalid": "Enter the date as a real date, for example 31/1/2027"},
    )

    def __init__(self, *args, account: OfficialAccount, **kwargs):
        from .followups import DEFAULT_DAYS

        kwargs.setdefault(
            "initial",
            {
                "followup_owner": account.owner_id,
                "followup_due": timezone.localdate() + timedelta(days=DEFAULT_DAYS),
            },
        )
        super().__init__(*args, **kwargs)
        checks = {
            name: forms.BooleanField(label=label, required=False)
            for name, label in AccountReview.CHECKS
        }
        rest = {k: self.fields[k] for k in ("notes", "followup_owner", "followup_due")}
        self.fields = {**checks, **rest}
        self.fields["followup_owner"].queryset = staff_of_school(account.school_id).order_by(
            "full_name"
        )
        self.fields["followup_owner"].error_messages["invalid_choice"] = (
            f"Choose someone from the staff of {account.school.name} in the list"
        )

    def clean(self):
        data = super().clean()
        concern = not all(data.get(name) for name, _ in AccountReview.CHECKS)
        if concern:
            if not (data.get("notes") or "").strip():
                self.add_error("notes", "Say what is wrong and what will be done")
            if not data.get("followup_owner") and "followup_owner" not in self.errors:
                self.add_error("followup_owner", "Choose who will deal with the concern")
            due = data.get("followup_due")
            if not due and "followup_due" not in self.errors:
                self.add_error(
                    "followup_due", "Enter the date it must be done by, for example 31/1/2027"
                )
            elif due and due < timezone.localdate():
                self.add_error("followup_due", "Enter a date from today onwards")
        return data


class FollowUpResolveForm(forms.Form):
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was done",
        error_messages={"required": "Say what was done about the concern"},
    )


class HandoverForm(forms.Form):
    owner = PersonChoiceField(queryset=User.objects.none())
    deputies = PeopleChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, account: OfficialAccount, **kwargs):
        super().__init__(*args, **kwargs)
        staff = staff_of_school(account.school_id).order_by("full_name")
        self.fields["owner"].queryset = staff
        self.fields["deputies"].queryset = staff


class CommentReportForm(forms.Form):
    """Report an inappropriate comment (4.5h): link, screenshot, whether removed."""

    comment_url = forms.URLField(label="Link to the comment", max_length=500, assume_scheme="https")
    was_removed = forms.TypedChoiceField(
        label="Has the comment been removed?",
        choices=[("yes", "Yes, I removed it"), ("no", "No, not yet")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    screenshot = forms.FileField(
        required=False,
        help_text="A PNG, JPEG or WebP image of the comment, at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Anything else"
    )


class CloseForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was done")


class FakeReportForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), label="Which school's name does it use?"
    )
    platform = forms.ModelChoiceField(queryset=Platform.objects.none(), required=False)
    handle = forms.CharField(max_length=100, required=False, label="Account name")
    url = forms.URLField(
        max_length=500, required=False, label="Address (URL)", assume_scheme="https"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What you saw")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = selectors.fake_report_schools_for(user)
        self.fields["platform"].queryset = Platform.objects.all()

    def clean(self):
        data = super().clean()
        if not data.get("handle") and not data.get("url"):
            self.add_error("handle", "Give the account's name or its address.")
        return data


class ResolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was done")


class PlatformForm(forms.ModelForm):
    terms_url = forms.URLField(label="Terms of service", max_length=300, assume_scheme="https")

    class Meta:
        model = Platform
        fields = [
            "name",
            "min_age",
            "terms_url",
            "dms_can_be_disabled",
            "comments_can_be_limited",
            "is_active",
        ]
