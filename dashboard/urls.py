from django.urls import path

from . import trust_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("trust/", trust_views.trust_dashboard, name="trust"),
    path("trust/figures.csv", trust_views.trust_dashboard_csv, name="trust_csv"),
]
