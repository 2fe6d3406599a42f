from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_create_view, name="create"),
    path("mine/", views.my_policies, name="mine"),
    path("acknowledgements/", views.outstanding, name="outstanding"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/edit/", views.policy_edit, name="edit"),
    path("<int:pk>/review/", views.policy_review, name="review"),
    path("<int:pk>/adopt/", views.policy_adopt_view, name="adopt"),
    path("<int:pk>/acknowledge/", views.policy_acknowledge_view, name="acknowledge"),
    path("versions/<int:pk>/download/", views.version_download, name="download"),
]
