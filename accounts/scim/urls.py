"""SCIM 2.0 endpoints (mounted at /scim/v2/): Users only; provisioning never touches roles,
so Groups answer 501 Not Implemented."""

from __future__ import annotations

import uuid

from django.urls import re_path
from django_scim import exceptions, views

app_name = "scim"


class UsersView(views.UsersView):
    def get_object(self):
        # An id that is not one of ours (not even a UUID) is simply not found, never a 500.
        try:
            uuid.UUID(str(self.kwargs.get(self.lookup_url_kwarg)))
        except ValueError:
            raise exceptions.NotFoundError(self.kwargs.get(self.lookup_url_kwarg)) from None
        return super().get_object()


class ResourceTypesView(views.ResourceTypesView):
    def type_dict_by_type_id(self, request):
        user_type = views.get_user_adapter().resource_type_dict(request)
        return {user_type["id"]: user_type}


urlpatterns = [
    re_path(r"^$", views.SCIMView.as_view(implemented=False), name="root"),
    re_path(r"^Users/\.search$", views.UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", UsersView.as_view(), name="users"),
    re_path(
        r"^Groups(?:/(?P<uuid>[^/]+))?$",
        views.SCIMView.as_view(implemented=False),
        name="groups",
    ),
    re_path(
        r"^ServiceProviderConfig$",
        views.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$", ResourceTypesView.as_view(), name="resource-types"
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", views.SchemasView.as_view(), name="schemas"),
]
