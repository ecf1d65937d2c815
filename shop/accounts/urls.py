from django.urls import path

from shop.accounts import apis, contact_apis, device_apis, personal_data_apis, profile_apis

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/sign-in/", apis.SignInApi.as_view(), name="auth-sign-in"),
    path("auth/sign-out/", apis.SignOutApi.as_view(), name="auth-sign-out"),
    path("auth/password-reset/", contact_apis.PasswordResetApi.as_view()),
    path("auth/password-reset/confirm/", contact_apis.PasswordResetConfirmApi.as_view()),
    path("auth/verify-email/", contact_apis.EmailVerifyApi.as_view()),
    path("auth/email-change/confirm/", contact_apis.EmailChangeConfirmApi.as_view()),
    path("auth/sms-code/", contact_apis.SmsCodeApi.as_view()),
    path("auth/sms-sign-in/", contact_apis.SmsSignInApi.as_view()),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/email-verification/", contact_apis.EmailVerificationSendApi.as_view()),
    path("me/email/", contact_apis.EmailChangeApi.as_view()),
    path("me/phone/", contact_apis.PhoneVerifyApi.as_view()),
    path("me/data/", personal_data_apis.PersonalDataApi.as_view()),
    path("me/delete/", personal_data_apis.AccountDeleteApi.as_view()),
    path("me/devices/", device_apis.DevicesApi.as_view(), name="me-devices"),
    path("me/devices/<uuid:device_id>/", device_apis.DeviceApi.as_view(), name="me-device"),
    path("me/addresses/", profile_apis.AddressListApi.as_view(), name="me-addresses"),
    path("me/addresses/<int:address_id>/", profile_apis.AddressApi.as_view(), name="me-address"),
    path("divisions/", profile_apis.DivisionListApi.as_view(), name="divisions"),
]
