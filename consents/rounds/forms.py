"""Forms of the consent round: the office's start form and class grid, the carer's pages."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone

from ..forms import UK_DATE_FORMATS
from ..models import ConsentWording, Medium, Naming, Purpose, Student
from ..services import ALL_ITEMS

YES_NO = [("yes", "Yes"), ("no", "No")]


class RoundStartForm(forms.Form):
    ends_on = forms.DateField(
        label="Links work until",
        input_formats=UK_DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        help_text="The last day carers can answer online, for example 2/10/2026.",
        error_messages={
            "required": "Enter the last day carers can answer, for example 2/10/2026",
            "invalid": "Enter the last day as a real date, for example 2/10/2026",
        },
    )
    wording = forms.ModelChoiceField(
        queryset=None,
        label="Consent wording carers will read",
        error_messages={"required": "Choose the consent wording carers will read"},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        wordings = ConsentWording.objects.filter(Q(school__isnull=True) | Q(school=school))
        self.fields["wording"].queryset = wordings
        first = wordings.order_by("-effective_from").first()
        if first:
            self.fields["wording"].initial = first.pk
        self.fields["ends_on"].initial = timezone.localdate() + timedelta(days=28)


class ConfirmForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your child's date of birth",
        input_formats=UK_DATE_FORMATS,
        help_text="For example 27/3/2015. If you have several children at the school, any one.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter your child's date of birth, for example 27/3/2015",
            "invalid": "Enter the date of birth as a real date, for example 27/3/2015",
        },
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the school's letter",
        max_length=20,
        help_text="Ten letters and numbers, for example 7K3QD-M2XHB.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code printed on the school's letter"},
    )


def answer_field(student_id: int, purpose: str, medium: str) -> str:
    return f"c{student_id}_{purpose}_{medium}"


class AnswerForm(forms.Form):
    """A carer's answer for each child: yes or no per purpose × medium, and the naming (4.5f).
    Every question needs an answer, so nothing left blank is ever read as consent."""

    def __init__(self, *args, children: list[Student], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        for child in children:
            name = child.display_given_name
            for purpose, medium in ALL_ITEMS:
                self.fields[answer_field(child.pk, purpose, medium)] = forms.ChoiceField(
                    choices=YES_NO,
                    widget=forms.RadioSelect,
                    label=f"{Medium(medium).label}s of {name}: {Purpose(purpose).label.lower()}",
                    error_messages={
                        "required": f"Choose yes or no for {Medium(medium).label.lower()}s of "
                        f"{name} on {Purpose(purpose).label.lower()}"
                    },
                )
            self.fields[f"c{child.pk}_naming"] = forms.ChoiceField(
                choices=Naming.choices,
                widget=forms.RadioSelect,
                label=f"How {name} may be named",
                error_messages={"required": f"Choose how {name} may be named"},
            )

    def sections(self):
        """Per child: (child, [(purpose label, [(medium label, bound field)])], naming field)."""
        for child in self.children:
            rows = [
                (
                    Purpose(p).label,
                    [(Medium(m).label, self[answer_field(child.pk, p, m)]) for m in Medium.values],
                )
                for p in Purpose.values
            ]
            yield child, rows, self[f"c{child.pk}_naming"]

    def answers(self) -> dict[int, tuple[dict[tuple[str, str], bool], str]]:
        return {
            c.pk: (
                {
                    (p, m): self.cleaned_data[answer_field(c.pk, p, m)] == "yes"
                    for p, m in ALL_ITEMS
                },
                self.cleaned_data[f"c{c.pk}_naming"],
            )
            for c in self.children
        }


def grid_field(student_id: int, purpose: str, medium: str) -> str:
    return f"s{student_id}_{purpose}_{medium}"


class GridForm(forms.Form):
    """Paper forms of a whole class at once (issue 17): a row per child, the carer who signed,
    the naming and the boxes ticked; rows without a carer are left alone."""

    given_on = forms.DateField(
        label="Date on the forms",
        input_formats=UK_DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        help_text="For example 14/9/2026.",
        error_messages={
            "required": "Enter the date the forms were signed, for example 14/9/2026",
            "invalid": "Enter the date as a real date, for example 14/9/2026",
        },
    )

    def __init__(self, *args, students: list[Student], carers: dict[int, list], **kwargs):
        super().__init__(*args, **kwargs)
        self.students = students
        self.fields["given_on"].initial = timezone.localdate()
        for s in students:
            self.fields[f"s{s.pk}_carer"] = forms.TypedChoiceField(
                choices=[("", "—")] + [(c.pk, c.name) for c in carers.get(s.pk, [])],
                coerce=int,
                required=False,
                label=f"Carer who signed for {s}",
            )
            self.fields[f"s{s.pk}_naming"] = forms.ChoiceField(
                choices=[("", "—"), *Naming.choices],
                required=False,
                label=f"How {s} may be named",
            )
            for p, m in ALL_ITEMS:
                self.fields[grid_field(s.pk, p, m)] = forms.BooleanField(
                    required=False, label=f"{s}: {Purpose(p).label}, {Medium(m).label.lower()}"
                )

    def clean_given_on(self) -> date:
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError("The date on the forms cannot be in the future")
        return given_on

    def clean(self):
        data = super().clean()
        for s in self.students:
            carer = data.get(f"s{s.pk}_carer")
            ticked = any(data.get(grid_field(s.pk, p, m)) for p, m in ALL_ITEMS)
            naming = data.get(f"s{s.pk}_naming")
            if not carer and (ticked or naming):
                self.add_error(
                    f"s{s.pk}_carer",
                    f"Choose the carer who signed the form for {s}, or clear the row",
                )
            elif carer and ticked and not naming:
                self.add_error(f"s{s.pk}_naming", f"Choose how {s} may be named, as the form says")
        return data

    def rows(self):
        for s in self.students:
            yield (
                s,
                self[f"s{s.pk}_carer"],
                self[f"s{s.pk}_naming"],
                [self[grid_field(s.pk, p, m)] for p, m in ALL_ITEMS],
            )

    def decisions(self) -> list[tuple[Student, int, str, dict[tuple[str, str], bool]]]:
        out = []
        for s in self.students:
            carer = self.cleaned_data.get(f"s{s.pk}_carer")
            if not carer:
                continue
            allowed = {
                (p, m): bool(self.cleaned_data.get(grid_field(s.pk, p, m))) for p, m in ALL_ITEMS
            }
            naming = self.cleaned_data.get(f"s{s.pk}_naming") or Naming.NONE
            out.append((s, carer, naming, allowed))
        return out
