from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    """Liveness for the load balancer and compose: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("notifications/", include("notifications.urls")),
    path("official-accounts/", include("channels.urls")),
    path("register/", include("channels.public_urls")),
    path("escrow/", include("escrow.urls")),
    path("consents/", include("consents.urls")),
    path("breaches/", include("breaches.urls")),
    path("policies/", include("policies.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "dashboard.views.not_found"
