from django.urls import path

from shop.accounts import apis, device_apis, profile_apis

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/sign-in/", apis.SignInApi.as_view(), name="auth-sign-in"),
    path("auth/sign-out/", apis.SignOutApi.as_view(), name="auth-sign-out"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/devices/", device_apis.DevicesApi.as_view(), name="me-devices"),
    path("me/devices/<uuid:device_id>/", device_apis.DeviceApi.as_view(), name="me-device"),
    path("me/addresses/", profile_apis.AddressListApi.as_view(), name="me-addresses"),
    path("me/addresses/<int:address_id>/", profile_apis.AddressApi.as_view(), name="me-address"),
    path("divisions/", profile_apis.DivisionListApi.as_view(), name="divisions"),
]
