from django.urls import path

from .sso import views as sso
from .views import people, session, signin

app_name = "accounts"
urlpatterns = [
    # sign-in (accounts/views/signin.py)
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", signin.SignOutView.as_view(), name="logout"),
    path("two-factor/", signin.TwoFactorView.as_view(), name="two_factor"),
    # single sign-on (accounts/sso; the callback is allauth's, in config/urls.py)
    path("sso/<slug:provider_id>/login/", sso.sso_start, name="sso_start"),
    path("emergency-sign-in/", sso.EmergencySignInView.as_view(), name="emergency_sign_in"),
    path("step-up/", signin.StepUpView.as_view(), name="step_up"),
    path("security/", signin.security, name="security"),
    path("security/backup-codes/", signin.backup_codes, name="backup_codes"),
    path("session/extend/", session.session_extend, name="session_extend"),
    path("password-reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/", signin.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        signin.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # people and roles (accounts/views/people.py)
    path("schools/", people.school_list, name="school_list"),
    path("schools/new/", people.school_create, name="school_create"),
    path("schools/<int:pk>/", people.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", people.school_edit, name="school_edit"),
    path("people/", people.person_list, name="person_list"),
    path("people/invite/", people.person_invite, name="person_invite"),
    path("people/<int:pk>/", people.person_detail_view, name="person_detail"),
    path("people/<int:pk>/roles/add/", people.person_role_add, name="person_role_add"),
    path("people/<int:pk>/roles/remove/", people.person_role_remove, name="person_role_remove"),
    path(
        "people/<int:pk>/trust-roles/add/",
        people.person_trust_role_add,
        name="person_trust_role_add",
    ),
    path(
        "people/<int:pk>/trust-roles/remove/",
        people.person_trust_role_remove,
        name="person_trust_role_remove",
    ),
    path(
        "people/<int:pk>/resend-invitation/",
        people.person_invite_resend,
        name="person_invite_resend",
    ),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path("invite/<uidb64>/<token>/", people.InviteAcceptView.as_view(), name="invite_accept"),
]
