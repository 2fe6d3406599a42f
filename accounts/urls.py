from django.urls import path

from .views import signin

app_name = "accounts"
urlpatterns = [
    # sign-in (accounts/views/signin.py)
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", signin.SignOutView.as_view(), name="logout"),
    path("two-factor/", signin.TwoFactorView.as_view(), name="two_factor"),
    path("step-up/", signin.StepUpView.as_view(), name="step_up"),
    path("security/", signin.security, name="security"),
    path("security/backup-codes/", signin.backup_codes, name="backup_codes"),
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
]
