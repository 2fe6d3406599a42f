"""The carers' pages of the consent round: no sign-in (config/urls.py, /consent/)."""

from django.urls import path

from . import public_views

app_name = "carer_consent"
urlpatterns = [
    path("code/", public_views.code_entry, name="code"),
    path("r/<str:token>/", public_views.link, name="link"),
]
