"""Search and filters of the official-account list (issue 18), with django-filter: the form,
its validation and the queryset filtering come from one declaration."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import School

from .models import OfficialAccount, Platform


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
        help_text="Name or owner",
    )
    school = django_filters.ModelChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        queryset=School.objects.none(),
        empty_label="Any school",
    )
    platform = django_filters.ModelChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        queryset=Platform.objects.none(),
        empty_label="Any platform",
    )
    status = django_filters.ChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=OfficialAccount.Status.choices,
        empty_label="Any status",
    )

    class Meta:
        model = OfficialAccount
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are those of the accounts the person may read (one query each to draw; the
        # readable accounts' own columns, not their ids looked up again: a third of the time).
        readable = self.queryset.order_by()
        self.filters["school"].queryset = School.objects.filter(
            pk__in=readable.values("school")
        ).order_by("name")
        self.filters["platform"].queryset = Platform.objects.filter(
            pk__in=readable.values("platform")
        ).order_by("name")

    def search(self, queryset, name, value):
        value = value.strip().lstrip("@")
        if not value:
            return queryset
        return queryset.filter(
            Q(handle__icontains=value)
            | Q(owner__full_name__icontains=value)
            | Q(platform__name__icontains=value)
        )
