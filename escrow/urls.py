from django.urls import path

from . import views

app_name = "escrow"

urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/deposit/", views.deposit, name="deposit"),
    path("accounts/<int:pk>/retrieve/", views.retrieve, name="retrieve"),
    path("accounts/<int:pk>/check/", views.check, name="check"),
    path("people/<int:pk>/", views.person_report, name="person_report"),
]
