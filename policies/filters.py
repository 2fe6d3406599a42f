"""Search and filters of the policy register (issue 18), with django-filter. Replaces the
register's school-only form."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import School

from .models import DUE_SOON_DAYS, Policy, PolicyCategory, ReviewStatus


class PolicyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
        help_text="Title",
    )
    school = django_filters.ModelChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        queryset=School.objects.none(),
        empty_label="Every school",
        method="of_school",
        help_text="With the trust-wide policies",
    )
    category = django_filters.ChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=PolicyCategory.choices,
        empty_label="Any",
    )
    status = django_filters.ChoiceFilter(
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=ReviewStatus.choices,
        empty_label="Any",
        method="by_status",
        label="Review",
    )

    class Meta:
        model = Policy
        fields: list[str] = []

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = schools

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip()) if value.strip() else queryset

    def of_school(self, queryset, name, value):
        return queryset.filter(Q(school=value) | Q(school__isnull=True))

    def by_status(self, queryset, name, value):
        # The same rule as models.review_status_for, as a query.
        today = timezone.localdate()
        soon = today + timedelta(days=DUE_SOON_DAYS)
        if value == ReviewStatus.OVERDUE:
            return queryset.filter(review_due__lt=today)
        if value == ReviewStatus.DUE_SOON:
            return queryset.filter(review_due__gte=today, review_due__lte=soon)
        return queryset.filter(review_due__gt=soon)
