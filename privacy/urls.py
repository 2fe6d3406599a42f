from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("subject-access/", views.sar_list, name="sar_list"),
    path("subject-access/<int:pk>/", views.sar_detail, name="sar_detail"),
    path("subject-access/<int:pk>/bundle/", views.sar_download, name="sar_download"),
    path("subject-access/<int:pk>/close/", views.sar_close, name="sar_close"),
    path("rights/", views.rights_list, name="rights_list"),
    path("rights/<int:pk>/", views.rights_detail, name="rights_detail"),
    path("retention/", views.retention_report, name="retention"),
]
