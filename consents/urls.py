from django.urls import include, path

from . import views

app_name = "consents"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/export.csv", views.student_export, name="student_export"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/decision/", views.decision_create, name="decision_create"),
    path("students/<int:pk>/carers/add/", views.carer_create, name="carer_create"),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views.import_confirm_view, name="import_confirm"),
    path("import/<int:pk>/progress/", views.import_progress_view, name="import_progress"),
    path("check/", views.check, name="check"),
    path("check/record/", views.publication_create, name="publication_create"),
    path("class-list/", views.class_list, name="class_list"),
    path("coverage/", views.coverage, name="coverage"),
    path("accounts/<int:pk>/posts/", views.account_publications, name="account_publications"),
    path("takedowns/", views.takedown_list, name="takedown_list"),
    path("takedowns/<int:pk>/done/", views.takedown_mark_done, name="takedown_done"),
    path("round/", include("consents.rounds.urls")),
]
