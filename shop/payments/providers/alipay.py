"""Alipay (open platform, RSA2) through ``python-alipay-sdk``, in public-key mode or in
certificate mode (公钥证书模式: ``DCAliPay``, when ``ALIPAY_APP_CERT``,
``ALIPAY_PUBLIC_CERT`` and ``ALIPAY_ROOT_CERT`` are set).

A payment is one trade whose ``out_trade_no`` is ours (``<prefix><payment id>``); the
shopper is sent to Alipay's cashier with a signed URL (``page``: the PC cashier,
``wap``: the mobile web one) and Alipay creates the trade when they arrive, so a query
before then answers "no such trade", which is a payment still waiting. A refund is one
``out_request_no`` of ours (``<prefix>R<refund id>``), so asking again never refunds
twice. Every request is signed with the app's private key and every answer is checked
with Alipay's public key (by the library); an answer that fails the check is treated as
no answer. Amounts go as yuan strings with two decimals.
"""

from __future__ import annotations

import io
import logging
import urllib.error
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import Any

import requests
from alipay import AliPay, BaseAliPay, DCAliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.core.money import ZERO, quantize
from shop.payments.errors import (
    PaymentNotFound,
    PaymentProviderRejected,
    PaymentProviderUnavailable,
)
from shop.payments.models import Payment, PaymentProvider, PaymentStatus, Refund, RefundStatus
from shop.payments.providers.base import (
    PaymentGateway,
    PaymentOptions,
    ProviderPayment,
    ProviderPaymentState,
    ProviderRefundState,
)
from shop.payments.providers.china import (
    fee_by_rate,
    pem_text,
    refund_id_of,
    refund_number,
    refund_numbers_of,
    shop_refunded,
    trade_number,
)

logger = logging.getLogger(__name__)

SCENES = ("page", "wap")
DEFAULT_SCENE = "page"
SUCCESS = "10000"
_UNKNOWN = ("20000", "20001")  # service unavailable: the outcome is not known
_NOT_EXIST = ("ACQ.TRADE_NOT_EXIST",)
_PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")


@lru_cache(maxsize=8)
def _client(config: tuple[str, ...]) -> BaseAliPay:
    app_id, private_key, public_key, notify_url, gateway, timeout, *certs = config
    client: BaseAliPay
    if any(certs):
        # Certificate mode: requests carry the app's and the root certificate's serial
        # numbers, answers are checked with the key of Alipay's public certificate.
        app_cert, alipay_cert, root_cert = certs
        client = DCAliPay(
            appid=app_id,
            app_notify_url=notify_url or None,
            app_private_key_string=private_key,
            app_public_key_cert_string=app_cert,
            alipay_public_key_cert_string=alipay_cert,
            alipay_root_cert_string=root_cert,
            sign_type="RSA2",
        )
        client._config = AliPayConfig(timeout=int(timeout))  # DCAliPay takes no config
    else:
        client = AliPay(
            appid=app_id,
            app_notify_url=notify_url or None,
            app_private_key_string=private_key,
            alipay_public_key_string=public_key,
            sign_type="RSA2",
            config=AliPayConfig(timeout=int(timeout)),
        )
    client._gateway = gateway  # the library knows only Alipay's own two gateways
    return client


def alipay_client() -> BaseAliPay:
    """The client for the current settings: public-key mode, or certificate mode
    (公钥证书模式) when the certificates are set."""
    s = settings
    return _client(
        (
            s.ALIPAY_APP_ID,
            pem_text(s.ALIPAY_APP_PRIVATE_KEY),
            pem_text(s.ALIPAY_PUBLIC_KEY),
            s.ALIPAY_NOTIFY_URL,
            s.ALIPAY_GATEWAY,
            str(s.ALIPAY_TIMEOUT_SECONDS),
            pem_text(s.ALIPAY_APP_CERT),
            pem_text(s.ALIPAY_PUBLIC_CERT),
            pem_text(s.ALIPAY_ROOT_CERT),
        )
    )


@contextmanager
def alipay_errors() -> Iterator[None]:
    """The library's failures in the shop's terms: no answer, a 5xx or an answer whose
    signature does not verify leave the outcome unknown."""
    try:
        yield
    except (urllib.error.URLError, TimeoutError, requests.RequestException) as exc:
        logger.warning("alipay unavailable: %s", exc)
        raise PaymentProviderUnavailable() from exc
    except AliPayValidationError as exc:
        logger.error("alipay answer with a bad signature refused")
        raise PaymentProviderUnavailable() from exc
    except AliPayException as exc:
        logger.error("alipay refused: %s", exc)
        raise PaymentProviderRejected() from exc
    except ValueError as exc:  # an answer that is not JSON
        logger.warning("alipay answered something else: %s", exc)
        raise PaymentProviderUnavailable() from exc


def _checked(answer: dict[str, Any], *, allow: tuple[str, ...] = ()) -> dict[str, Any]:
    """A verified answer: success, or one of the ``allow``-ed sub codes, else refused."""
    code, sub_code = str(answer.get("code")), str(answer.get("sub_code") or "")
    if code == SUCCESS or sub_code in allow:
        return answer
    if code in _UNKNOWN or sub_code.endswith("SYSTEM_ERROR"):
        raise PaymentProviderUnavailable()
    logger.error("alipay refused: %s %s", code, sub_code)
    raise PaymentProviderRejected(_("Alipay refused the request (%(code)s).") % {"code": sub_code})


def _yuan(amount: Decimal) -> str:
    return str(quantize(amount))


class AlipayGateway(PaymentGateway):
    name = "alipay"

    def __init__(self, client: BaseAliPay | None = None) -> None:
        self.client = client or alipay_client()
        self.prefix = settings.ALIPAY_TRADE_PREFIX

    def create_payment(
        self, payment: Payment, options: PaymentOptions | None = None
    ) -> ProviderPayment:
        scene = (options.scene if options else "") or DEFAULT_SCENE
        if scene not in SCENES:
            raise PaymentProviderRejected(_("Alipay does not offer this way of paying."))
        reference = trade_number(self.prefix, payment.pk)
        expires = payment.order.expires_at
        extra: dict[str, Any] = {}
        if expires is not None:
            # The cashier refuses to take money once the order's time to pay is over.
            extra["time_expire"] = timezone.localtime(expires).strftime("%Y-%m-%d %H:%M:%S")
        build = (
            self.client.api_alipay_trade_page_pay
            if scene == "page"
            else self.client.api_alipay_trade_wap_pay
        )
        query = build(
            subject=f"Order {payment.order.number}",
            out_trade_no=reference,
            total_amount=_yuan(payment.amount),
            return_url=settings.ALIPAY_RETURN_URL or None,
            **extra,
        )
        url = f"{settings.ALIPAY_GATEWAY}?{query}"
        return ProviderPayment(
            reference=reference,
            client_secret="",
            action={"scene": scene, "type": "redirect", "url": url},
        )

    def retrieve(self, reference: str) -> ProviderPaymentState:
        with alipay_errors():
            answer = self.client.api_alipay_trade_query(out_trade_no=reference)
        answer = _checked(answer, allow=_NOT_EXIST)
        if str(answer.get("code")) != SUCCESS:
            return self._waiting(reference)
        status = str(answer.get("trade_status") or "")
        paid = status in _PAID or (status == "TRADE_CLOSED" and bool(answer.get("send_pay_date")))
        if paid:
            state = PaymentStatus.SUCCEEDED
        elif status == "TRADE_CLOSED":
            state = PaymentStatus.CANCELLED
        else:
            state = PaymentStatus.PENDING
        amount = Decimal(str(answer.get("total_amount") or "0"))
        return ProviderPaymentState(
            reference=reference,
            status=state,
            amount=amount,
            currency=str(answer.get("trans_currency") or "CNY").upper(),
            fee=fee_by_rate(amount, settings.ALIPAY_FEE_RATE) if paid else ZERO,
            amount_refunded=shop_refunded(PaymentProvider.ALIPAY, reference),
        )

    def _waiting(self, reference: str) -> ProviderPaymentState:
        """No trade yet: the shopper has not reached the cashier."""
        payment = Payment.objects.filter(
            provider=PaymentProvider.ALIPAY, provider_reference=reference
        ).first()
        if payment is None:
            raise PaymentNotFound()
        return ProviderPaymentState(
            reference=reference,
            status=PaymentStatus.PENDING,
            amount=payment.amount,
            currency=payment.currency,
            amount_refunded=payment.amount_refunded,
        )

    def cancel_payment(self, payment: Payment) -> ProviderPaymentState:
        reference = payment.provider_reference
        with alipay_errors():
            answer = self.client.api_alipay_trade_close(out_trade_no=reference)
        code, sub_code = str(answer.get("code")), str(answer.get("sub_code") or "")
        if code != SUCCESS and sub_code not in _NOT_EXIST:
            _checked(answer, allow=("ACQ.TRADE_STATUS_ERROR",))  # paid meanwhile: read it
        state = self.retrieve(reference)
        if sub_code in _NOT_EXIST and state.status == PaymentStatus.PENDING:
            # Never reached the cashier, and its link expires with the order: cancelled.
            return ProviderPaymentState(
                reference=reference,
                status=PaymentStatus.CANCELLED,
                amount=state.amount,
                currency=state.currency,
                amount_refunded=state.amount_refunded,
            )
        return state

    def refund(self, payment: Payment, refund: Refund) -> ProviderRefundState:
        number = refund_number(self.prefix, refund.pk)
        extra = {"refund_reason": refund.reason[:80]} if refund.reason else {}
        with alipay_errors():
            answer = self.client.api_alipay_trade_refund(
                refund_amount=_yuan(refund.amount),
                out_trade_no=payment.provider_reference,
                out_request_no=number,
                **extra,
            )
        answer = _checked(answer)
        status = RefundStatus.SUCCEEDED if answer.get("fund_change") == "Y" else None
        if status is None:
            # Taken, with the money not moved yet: its result is read with a refund query.
            return self.retrieve_refund(number, trade=payment.provider_reference)
        return ProviderRefundState(
            reference=number,
            status=status,
            amount=refund.amount,
            payment_reference=payment.provider_reference,
            refund_id=refund.pk,
        )

    def retrieve_refund(self, reference: str, *, trade: str = "") -> ProviderRefundState:
        if not trade:
            trade = (
                Refund.objects.filter(
                    payment__provider=PaymentProvider.ALIPAY, provider_reference=reference
                )
                .values_list("payment__provider_reference", flat=True)
                .first()
                or ""
            )
        refund_id = refund_id_of(self.prefix, reference)
        if not trade and refund_id is not None:
            trade = (
                Refund.objects.filter(pk=refund_id)
                .values_list("payment__provider_reference", flat=True)
                .first()
                or ""
            )
        if not trade:
            raise PaymentNotFound()
        with alipay_errors():
            answer = self.client.api_alipay_trade_fastpay_refund_query(
                out_request_no=reference, out_trade_no=trade
            )
        answer = _checked(answer)
        done = answer.get("refund_status") == "REFUND_SUCCESS"
        return ProviderRefundState(
            reference=reference,
            status=RefundStatus.SUCCEEDED if done else RefundStatus.PENDING,
            amount=Decimal(str(answer.get("refund_amount") or "0")),
            payment_reference=trade,
            refund_id=refund_id,
        )

    def refunds_list(self, payment_reference: str) -> list[ProviderRefundState]:
        return [
            self.retrieve_refund(number, trade=payment_reference)
            for number in refund_numbers_of(PaymentProvider.ALIPAY, payment_reference)
        ]

    def trade_bill(self, bill_date: str) -> bytes:
        """The day's trade bill: the business detail CSV of the zip Alipay offers (GBK)."""
        with alipay_errors():
            answer = self.client.server_api(
                "alipay.data.dataservice.bill.downloadurl.query",
                {"bill_type": "trade", "bill_date": bill_date},
            )
            url = str(_checked(answer).get("bill_download_url") or "")
            if not url:
                raise PaymentProviderUnavailable()
            response = requests.get(url, timeout=settings.ALIPAY_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise PaymentProviderUnavailable()
        try:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                names = [n for n in archive.namelist() if "汇总" not in n]
                return archive.read(names[0]) if names else b""
        except zipfile.BadZipFile as exc:
            raise PaymentProviderUnavailable() from exc
