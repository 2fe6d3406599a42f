"""The office's round pages, included in the consents namespace (consents/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.round_index, name="round_index"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/carers/", views.round_carers, name="round_carers"),
    path("<int:pk>/remind/", views.round_remind, name="round_remind"),
    path("<int:pk>/letters/", views.round_letters, name="round_letters"),
    path("<int:pk>/grid/", views.round_grid, name="round_grid"),
    path("invites/<int:pk>/resend/", views.invite_resend, name="round_invite_resend"),
    path("invites/<int:pk>/revoke/", views.invite_revoke, name="round_invite_revoke"),
]
