from django.urls import path

from . import followup_views, public_views, views

app_name = "channels"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("register/", views.account_create, name="account_create"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.account_detail, name="account_detail"),
    path("<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("<int:pk>/submit/", views.account_submit, name="account_submit"),
    path("<int:pk>/approve/", views.account_approve, name="account_approve"),
    path("<int:pk>/reject/", views.account_reject, name="account_reject"),
    path(
        "<int:pk>/request-changes/", views.account_request_changes, name="account_request_changes"
    ),
    path("<int:pk>/activate/", views.account_activate, name="account_activate"),
    path("<int:pk>/suspend/", views.account_suspend, name="account_suspend"),
    path("<int:pk>/reinstate/", views.account_reinstate, name="account_reinstate"),
    path("<int:pk>/close/", views.account_close, name="account_close"),
    path("<int:pk>/review/", views.account_review, name="account_review"),
    path("<int:pk>/handover/", views.account_handover, name="account_handover"),
    path("<int:pk>/report-comment/", views.comment_report_create, name="comment_report_create"),
    path("comment-reports/<int:pk>/", views.comment_report_detail, name="comment_report_detail"),
    path(
        "comment-reports/<int:pk>/screenshot/",
        views.comment_report_screenshot,
        name="comment_report_screenshot",
    ),
    path(
        "comment-reports/<int:pk>/close/", views.comment_report_close, name="comment_report_close"
    ),
    path("fake-accounts/", views.fake_report_list, name="fake_report_list"),
    path("fake-accounts/report/", views.fake_report_create, name="fake_report_create"),
    path("fake-accounts/<int:pk>/", views.fake_report_detail, name="fake_report_detail"),
    path("fake-accounts/<int:pk>/resolve/", views.fake_report_resolve, name="fake_report_resolve"),
    path(
        "followups/<int:pk>/resolve/",
        followup_views.followup_resolve,
        name="followup_resolve",
    ),
    path("concerns-contacts/", public_views.contacts, name="concerns_contacts"),
    path(
        "concerns-contacts/<int:school_pk>/",
        public_views.contact_edit,
        name="concerns_contact_edit",
    ),
    path("platforms/", views.platform_list, name="platform_list"),
    path("platforms/new/", views.platform_edit, name="platform_create"),
    path("platforms/<int:pk>/", views.platform_edit, name="platform_edit"),
]
