"""Search and filters of the escrow list (issue 18), with django-filter."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import School
from channels.models import OfficialAccount


class EscrowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
        help_text="Account name",
    )
    school = django_filters.ModelChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        queryset=School.objects.none(),
        empty_label="Any school",
    )

    class Meta:
        model = OfficialAccount
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = School.objects.filter(
            pk__in=OfficialAccount.objects.filter(pk__in=self.queryset.values("pk")).values(
                "school"
            )
        ).order_by("name")

    def search(self, queryset, name, value):
        value = value.strip().lstrip("@")
        if not value:
            return queryset
        return queryset.filter(Q(handle__icontains=value) | Q(platform__name__icontains=value))
