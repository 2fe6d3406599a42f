from django.urls import path

from . import public_views

# Mounted at /register/ with no sign-in (4.1: parents check an account is genuine).
app_name = "register"
urlpatterns = [
    path("", public_views.register_index, name="index"),
    path("report/", public_views.report_fake, name="report"),
]
