from django.urls import path

from . import account_views, views

app_name = "breaches"
urlpatterns = [
    path("report/", views.report_create, name="report"),
    path(
        "from-comment-report/<int:report_pk>/",
        views.case_from_comment_report,
        name="from_comment_report",
    ),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<uuid:pk>/", views.my_report, name="my_report"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:pk>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:pk>/acknowledge/", views.case_acknowledge, name="case_acknowledge"),
    path("cases/<uuid:pk>/investigate/", views.case_investigate, name="case_investigate"),
    path("cases/<uuid:pk>/note/", views.case_note, name="case_note"),
    path("cases/<uuid:pk>/action/", views.case_action, name="case_action"),
    path("cases/<uuid:pk>/outcome/", views.case_outcome, name="case_outcome"),
    path("cases/<uuid:pk>/close/", views.case_close, name="case_close"),
    path("cases/<uuid:pk>/owner/", views.case_assign, name="case_assign"),
    path(
        "cases/<uuid:pk>/account/rotation/",
        account_views.case_account_rotation,
        name="case_account_rotation",
    ),
    path(
        "cases/<uuid:pk>/account/review/",
        account_views.case_account_review,
        name="case_account_review",
    ),
    path("cases/<uuid:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("cases/<uuid:pk>/dispose/", views.case_dispose, name="case_dispose"),
    path("disposals/", views.disposals, name="disposals"),
    path("declarations/", views.declaration_list, name="declaration_list"),
    path(
        "declarations/<int:pk>/acknowledge/",
        views.declaration_acknowledge,
        name="declaration_acknowledge",
    ),
]
