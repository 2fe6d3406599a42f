"""Sign-in, sign-out, second factor and step-up (issue: people and access, Sign-in)."""

from django.contrib.auth import views as auth_views

from ..forms.signin import EmailAuthenticationForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass
