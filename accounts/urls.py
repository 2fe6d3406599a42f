from django.urls import path

from .views import signin

app_name = "accounts"
urlpatterns = [
    # sign-in (accounts/views/signin.py)
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", signin.SignOutView.as_view(), name="logout"),
    # people and roles (accounts/views/people.py)
]
