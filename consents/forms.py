from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.roles import Perm
from accounts.selectors import schools_visible_to
from channels.models import OfficialAccount

from .mis_columns import NOT_KEPT, part_label, valid_targets
from .mis_files import is_xlsx
from .models import ConsentDecision, ConsentWording, Medium, Naming, Purpose, Student
from .services import ALL_ITEMS

# Dates as people write them in the UK, and ISO (what a date picker or a script sends).
UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


def item_field_name(purpose: str, medium: str) -> str:
    return f"allow_{purpose}_{medium}"


class DecisionForm(forms.Form):
    """A carer's decision, every purpose × medium answered (4.5e) with the naming rule (4.5f)."""

    carer = forms.ModelChoiceField(
        queryset=None,
        label="Parent or carer who decided",
        error_messages={"required": "Choose the parent or carer who gave this answer"},
    )
    method = forms.ChoiceField(
        choices=ConsentDecision.Method.choices,
        label="How it was given",
        error_messages={"required": "Choose how the answer reached you, for example on paper"},
    )
    wording = forms.ModelChoiceField(
        queryset=None,
        label="Consent wording they saw",
        error_messages={"required": "Choose the consent wording the carer was shown"},
    )
    given_on = forms.DateField(
        label="Date given",
        # Text in the format people write (GOV.UK advice: no date picker); ISO is accepted too.
        input_formats=UK_DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        help_text="For example 3/12/2026.",
        error_messages={
            "required": "Enter the date the carer gave their answer, for example 3/12/2026",
            "invalid": "Enter the date as a real date, for example 3/12/2026",
        },
    )
    naming = forms.ChoiceField(
        choices=Naming.choices,
        label="How the student may be named",
        help_text="Full name only with the carer's express permission (policy 4.5(f)).",
        error_messages={"required": "Choose how the student may be named, as the carer said"},
    )

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student
        self.fields["carer"].queryset = student.carers.all()
        self.fields["wording"].queryset = ConsentWording.objects.filter(
            Q(school__isnull=True) | Q(school=student.school_id)
        )
        for purpose, medium in ALL_ITEMS:
            self.fields[item_field_name(purpose, medium)] = forms.BooleanField(
                required=False,
                label=f"{Purpose(purpose).label}: {Medium(medium).label.lower()}",
            )

    def allowed(self) -> dict[tuple[str, str], bool]:
        return {(p, m): bool(self.cleaned_data.get(item_field_name(p, m))) for p, m in ALL_ITEMS}


class ImportUploadForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=None, error_messages={"required": "Choose the school the file is from"}
    )
    file = forms.FileField(
        label="File exported from your MIS (CSV or Excel .xlsx)",
        error_messages={
            "required": "Choose the CSV or Excel file you exported from your MIS",
            "empty": "The file you chose is empty: export it from your MIS again",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = schools_visible_to(user, Perm.MANAGE_CONSENT)
        self.fields["school"].queryset = schools
        if len(schools) == 1:  # most office staff keep one school's records
            self.fields["school"].initial = schools[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        head = upload.read(4096)
        upload.seek(0)
        # Checked by content, not by name: an .xlsx is a zip archive (its first bytes say so);
        # a CSV is text, so a NUL byte means it is neither (an old .xls, a PDF).
        if not is_xlsx(head) and b"\x00" in head:
            raise forms.ValidationError(
                "This file is neither a CSV file nor an Excel .xlsx workbook (an old .xls "
                "perhaps): save it as .xlsx or CSV, then choose it again"
            )
        return upload


class MappingForm(forms.Form):
    """What each column of this school's export holds (issue 17). Columns the portal does not
    recognise must be answered, by a field or "Ignore this column"; the others may be changed.
    The answers are remembered for the school's next import."""

    def __init__(self, *args, keys: list[str], targets: list[str | None], **kwargs):
        super().__init__(*args, **kwargs)
        offered = [(t, part_label(t)) for t in valid_targets()]
        self.keys = keys
        self.unknown_names: list[str] = []
        self.known_names: list[str] = []
        for i, (key, target) in enumerate(zip(keys, targets, strict=True)):
            name = f"col_{i}"
            choices = [("", "— choose what it holds —")] if target is None else []
            if target == NOT_KEPT:
                choices.append((NOT_KEPT, part_label(NOT_KEPT)))
            self.fields[name] = forms.ChoiceField(
                choices=choices + offered,
                required=True,
                label=f"Column “{key}”",
                initial=target or "",
                error_messages={
                    "required": f"Choose what the column “{key}” holds, or Ignore this column",
                },
            )
            (self.unknown_names if target is None else self.known_names).append(name)

    def unknown_fields(self) -> list:
        return [self[n] for n in self.unknown_names]

    def known_fields(self) -> list:
        return [self[n] for n in self.known_names]

    def decisions(self) -> dict[str, str]:
        """Column name -> target, "ignore" included (remembered for the school)."""
        return {
            key: self.cleaned_data[f"col_{i}"]
            for i, key in enumerate(self.keys)
            if self.cleaned_data.get(f"col_{i}") and self.cleaned_data[f"col_{i}"] != NOT_KEPT
        }


class ImportConfirmForm(forms.Form):
    """Import a checked file; marking the students missing from it as left is its own choice."""

    mark_left = forms.BooleanField(required=False)


class ListedChoiceField(forms.ModelChoiceField):
    """A choice among records the page has already read (a list): the chosen id is looked up
    among them, not queried for again."""

    listed: list = []

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for obj in self.listed:
            if str(obj.pk) == str(value):
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several records chosen by integer id, checked with one query. (Django's own check
    builds a queryset per id only to see that the id is valid: 30 students, 30 of them.)"""

    def _check_values(self, value):
        ids = set()
        for pk in value:  # clean() has made sure that value is a list
            try:
                ids.add(int(pk))
            except (TypeError, ValueError):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from None
        qs = self.queryset.filter(pk__in=ids)
        found = {obj.pk for obj in qs}
        for pk in sorted(ids - found):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
            )
        return qs


class CheckForm(forms.Form):
    """The teacher's daily tool: which account, which medium, which students (4.5e)."""

    account = ListedChoiceField(
        queryset=None,
        label="Official account",
        error_messages={
            "required": "Choose the official account you will publish on, then press Find",
            "invalid_choice": "Choose one of the official accounts in the list",
        },
    )
    medium = forms.ChoiceField(
        choices=Medium.choices,
        widget=forms.RadioSelect,
        initial=Medium.PHOTO,
        error_messages={"required": "Choose whether you will publish a photo or a video"},
    )
    students = IdsChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Students who appear",
        error_messages={
            "required": "Tick each student who appears. Find them by name, class or year first",
            "invalid_choice": "Tick only students listed on this page",
        },
    )

    def __init__(self, *args, accounts, students, **kwargs):
        """`accounts`: the accounts the page has read (selectors.accounts_for_check)."""
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        field.listed = list(accounts)
        field.queryset = OfficialAccount.objects.filter(pk__in=[a.pk for a in field.listed])
        self.fields["students"].queryset = students

    def clean(self):
        data = super().clean()
        account, chosen = data.get("account"), data.get("students")
        if account and chosen and any(s.school_id != account.school_id for s in chosen):
            raise forms.ValidationError(
                f"Tick only students of {account.school.name}: the account belongs to that school"
            )
        return data


class PublicationForm(CheckForm):
    # The check page writes these two inputs with the widgets alone (Bootstrap classes here),
    # not through crispy's field templates: the page is the teacher's daily tool.
    post_url = forms.URLField(
        label="Link to the post",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "form-control"}),
        error_messages={
            "required": "Enter the link to the post, for example https://www.instagram.com/p/abc123",
            "invalid": "Enter the link as a web address, for example "
            "https://www.instagram.com/p/abc123",
        },
    )
    published_on = forms.DateField(
        label="Date published",
        input_formats=UK_DATE_FORMATS,
        help_text="For example 3/12/2026.",
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={
                "class": "form-control",
                "autocomplete": "off",
                "aria-describedby": "published-on-hint",
            },
        ),
        error_messages={
            "required": "Enter the date it was published, for example 3/12/2026",
            "invalid": "Enter the date as a real date, for example 3/12/2026",
        },
    )


class CarerForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter the parent or carer's name"}
    )
    relationship = forms.CharField(
        max_length=50, required=False, help_text="e.g. Mother, Grandparent, Foster carer"
    )
    email = forms.EmailField(required=False)
