"""Each person's home page: what their roles ask of them today."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .actions import actions_for, quick_actions
from .selectors import home_cards, home_sections


@login_required
def home(request):
    sections = home_sections(request.user)
    for section in sections:
        section.actions = actions_for(section.role)
    return render(
        request,
        "dashboard/home.html",
        {
            "sections": sections,
            "quick_actions": quick_actions(sections),
            "cards": home_cards(request.user),
        },
    )


def not_found(request, exception=None):
    # One body for "missing" and "another school's": nothing tells them apart.
    return render(request, "404.html", status=404)
