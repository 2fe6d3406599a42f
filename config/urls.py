from allauth.socialaccount.providers.openid_connect import views as oidc
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
    # Single sign-on: allauth's OpenID Connect callback (its rules: accounts/sso/adapter.py).
    # The redirect URL each provider is registered with (docs/deploy.md).
    path(
        "accounts/sso/<slug:provider_id>/login/callback/",
        oidc.callback,
        name="openid_connect_callback",
    ),
    # SCIM 2.0 provisioning from the trust's directory (accounts/scim).
    path("scim/v2/", include("accounts.scim.urls")),
    path("audit/", include("activity.urls")),
    path("notifications/", include("notifications.urls")),
    path("official-accounts/", include("channels.urls")),
    path("register/", include("channels.public_urls")),
    path("escrow/", include("escrow.urls")),
    path("consents/", include("consents.urls")),
    path("consent/", include("consents.rounds.public_urls")),
    path("breaches/", include("breaches.urls")),
    path("policies/", include("policies.urls")),
    path("data-protection/", include("privacy.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "dashboard.views.not_found"
