from django.urls import path

from . import views

app_name = "audit"  # audit:list, audit:my_activity...: the log's names, kept from the audit app
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.csv", views.export, name="export"),
    path("chain/", views.chain, name="chain"),
    path("my-activity/", views.my_activity, name="my_activity"),
    path("my-activity/export.csv", views.my_activity_export, name="my_activity_export"),
]
