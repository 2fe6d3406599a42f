from django.urls import path

from . import views

# Mounted at /register/ with no sign-in (4.1: parents check an account is genuine).
app_name = "register"
urlpatterns = [
    path("", views.public_register, name="index"),
]
