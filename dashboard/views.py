"""Each person's home page: what their roles ask of them today."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import home_cards, home_sections


@login_required
def home(request):
    return render(
        request,
        "dashboard/home.html",
        {"sections": home_sections(request.user), "cards": home_cards(request.user)},
    )


def not_found(request, exception=None):
    # One body for "missing" and "another school's": nothing tells them apart.
    return render(request, "404.html", status=404)
