"""Forms of the policy register. Choices of school and owner come from what the user may
manage (STYLE.md, Access); the services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from accounts.models import School, User
from accounts.selectors import is_trust_admin, staff_of_school

from .documents import DocumentError, check_document, max_bytes
from .models import ApprovingBody, PolicyCategory
from .selectors import manageable_school_ids

TRUST_WIDE = "trust"


class DateInput(forms.DateInput):
    input_type = "date"


def _document_field(required: bool) -> forms.FileField:
    return forms.FileField(
        required=required,
        help_text=f"PDF or Word (.docx), at most {max_bytes() // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


class DocumentCleanMixin:
    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            try:
                check_document(upload)
            except DocumentError as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload


class ReviewDateMixin:
    def clean(self):
        data = super().clean()
        if (
            not data.get("review_due")
            and not data.get("review_interval_months")
            and "review_interval_months" in self.fields
        ):
            self.add_error("review_due", "Give a review date or a review interval.")
        approved_on, due = data.get("approved_on"), data.get("review_due")
        if approved_on and due and due <= approved_on:
            self.add_error("review_due", "The review date must come after the approval date.")
        if approved_on and approved_on > timezone.localdate():
            self.add_error("approved_on", "The approval date cannot be in the future.")
        return data


class PolicyCreateForm(DocumentCleanMixin, ReviewDateMixin, forms.Form):
    school = forms.ChoiceField(label="Whose policy")
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=PolicyCategory.choices)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    approving_body = forms.ChoiceField(choices=ApprovingBody.choices)
    approved_on = forms.DateField(widget=DateInput)
    review_due = forms.DateField(
        widget=DateInput, required=False, help_text="Or leave empty and give an interval."
    )
    review_interval_months = forms.IntegerField(
        min_value=1, max_value=120, required=False, label="Review interval (months)"
    )
    requires_acknowledgement = forms.BooleanField(
        required=False, initial=True, label="Staff must read and acknowledge it"
    )
    document = _document_field(required=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.schools = list(School.objects.filter(pk__in=manageable_school_ids(user)))
        choices = [(str(s.pk), s.name) for s in self.schools]
        if is_trust_admin(user):
            choices.insert(0, (TRUST_WIDE, "Trust-wide"))
        self.fields["school"].choices = choices
        owners = User.objects.filter(is_active=True, memberships__school__in=self.schools)
        if is_trust_admin(user):
            owners = owners | User.objects.filter(is_active=True, trust_roles__isnull=False)
        self.fields["owner"].queryset = owners.distinct().order_by("full_name")

    def clean_school(self) -> School | None:
        value = self.cleaned_data["school"]
        if value == TRUST_WIDE:
            return None
        return next(s for s in self.schools if str(s.pk) == value)

    def clean(self):
        data = super().clean()
        school, owner = data.get("school"), data.get("owner")
        if (
            owner is not None
            and school is not None
            and not staff_of_school(school).filter(pk=owner.pk).exists()
        ):
            self.add_error("owner", "The owner must be a member of that school's staff.")
        return data


class PolicyReviewForm(DocumentCleanMixin, ReviewDateMixin, forms.Form):
    OUTCOME_CHOICES = [
        ("no_change", "Reviewed, no change"),
        ("new_version", "New version approved (upload it)"),
    ]
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES, widget=forms.RadioSelect)
    approved_on = forms.DateField(widget=DateInput, label="Approved on")
    approved_by = forms.ChoiceField(choices=ApprovingBody.choices, label="Approved by")
    review_due = forms.DateField(
        widget=DateInput,
        required=False,
        label="Next review date",
        help_text="Leave empty to use the policy's review interval.",
    )
    document = _document_field(required=False)
    summary = forms.CharField(max_length=300, required=False, label="What changed")
    notes = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["approved_by"].initial = policy.approving_body

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "new_version" and not data.get("document"):
            self.add_error("document", "A new version needs its document.")
        if not data.get("review_due") and not self.policy.review_interval_months:
            self.add_error("review_due", "This policy has no review interval: give a date.")
        return data


class PolicyAdoptForm(DocumentCleanMixin, forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none())
    adopted_on = forms.DateField(widget=DateInput)
    document = _document_field(required=False)
    document.label = "Local variant (only if the school needs its own text)"
    # The variant's own approval and review date (issue 15): not the trust policy's.
    variant_approved_by = forms.ChoiceField(
        label="Local variant approved by",
        choices=[
            (ApprovingBody.LOCAL_GOVERNING_BODY, ApprovingBody.LOCAL_GOVERNING_BODY.label),
            (ApprovingBody.HEADTEACHER, ApprovingBody.HEADTEACHER.label),
        ],
        required=False,
    )
    variant_approved_on = forms.DateField(
        widget=DateInput,
        required=False,
        label="Local variant approved on",
        help_text="Leave empty if it is the adoption date.",
    )
    variant_review_due = forms.DateField(
        widget=DateInput,
        required=False,
        label="Local variant's next review date",
        help_text="Leave empty to use the trust policy's review interval from the approval date.",
    )

    def __init__(self, *args, user, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["school"].queryset = School.objects.filter(
            pk__in=manageable_school_ids(user), trust_id=policy.trust_id
        ).exclude(policy_adoptions__policy=policy)

    def clean(self):
        data = super().clean()
        if not data.get("document"):
            return data
        approved_on = data.get("variant_approved_on") or data.get("adopted_on")
        due = data.get("variant_review_due")
        if data.get("variant_approved_on") and data["variant_approved_on"] > timezone.localdate():
            self.add_error("variant_approved_on", "The approval date cannot be in the future.")
        if not due and not self.policy.review_interval_months:
            self.add_error(
                "variant_review_due",
                "Enter the local variant's review date: the trust policy has no review interval.",
            )
        elif due and approved_on and due <= approved_on:
            self.add_error(
                "variant_review_due", "Enter a review date after the variant's approval date."
            )
        return data

    def clean_adopted_on(self):
        value = self.cleaned_data["adopted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The adoption date cannot be in the future.")
        return value


class PolicyEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    review_interval_months = forms.IntegerField(
        min_value=1, max_value=120, required=False, label="Review interval (months)"
    )
    requires_acknowledgement = forms.BooleanField(
        required=False, label="Staff must read and acknowledge it"
    )

    def __init__(self, *args, policy, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": policy.title,
                "owner": policy.owner_id,
                "review_interval_months": policy.review_interval_months,
                "requires_acknowledgement": policy.requires_acknowledgement,
            },
        )
        super().__init__(*args, **kwargs)
        if policy.school_id is not None:
            owners = staff_of_school(policy.school_id)
        else:
            owners = User.objects.filter(
                is_active=True, memberships__school__trust_id=policy.trust_id
            ) | User.objects.filter(is_active=True, trust_roles__trust_id=policy.trust_id)
        self.fields["owner"].queryset = owners.distinct().order_by("full_name")
