from django.urls import path

from shop.accounts import apis

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/sign-in/", apis.SignInApi.as_view(), name="auth-sign-in"),
    path("auth/sign-out/", apis.SignOutApi.as_view(), name="auth-sign-out"),
    path("me/", apis.MeApi.as_view(), name="me"),
]
