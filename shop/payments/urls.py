"""Shopper payments and the provider webhooks, under /api/v1/."""

from django.urls import path

from shop.payments import apis

urlpatterns = [
    path(
        "orders/<str:number>/payments/",
        apis.PaymentStartApi.as_view(),
        name="order-payment-start",
    ),
    path(
        "payments/<int:payment_id>/fake/confirm/",
        apis.FakePaymentConfirmApi.as_view(),
        name="payment-fake-confirm",
    ),
    path(
        "payments/stripe/webhook/",
        apis.StripeWebhookApi.as_view(),
        name="payment-stripe-webhook",
    ),
    path(
        "payments/wechatpay/notify/",
        apis.WeChatPayNotifyApi.as_view(),
        name="payment-wechatpay-notify",
    ),
    path(
        "payments/alipay/notify/",
        apis.AlipayNotifyApi.as_view(),
        name="payment-alipay-notify",
    ),
]
