"""Run local fakes of WeChat Pay's and Alipay's APIs for development, with fresh keys.

    .venv/bin/python manage.py run_payment_fakes --keys-dir /tmp/coshop-payment-fakes

writes the merchant's and the providers' keys to the folder, prints the settings to
export before ``make run``, and serves until interrupted. A shopper "pays" with
``curl -X POST http://127.0.0.1:8190/_fake/pay/<trade number>`` (WeChat Pay) or the
button on the Alipay cashier page; refunds settle with ``/_fake/refund/<refund
number>[/CLOSED]``. The notification then goes to the shop as the provider sends it.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from shop.payments.fakes.alipay import AlipayKeys, FakeAlipay
from shop.payments.fakes.wechatpay import FakeWeChatPay, WeChatPayKeys


def fakes_start(
    keys_dir: Path, wechatpay_port: int, alipay_port: int, *, alipay_certificates: bool = False
) -> dict[str, Any]:
    """Start both fakes; returns them and the settings the shop needs (key files in
    ``keys_dir``). ``alipay_certificates``: Alipay in certificate mode, its three
    certificates written as the open platform names them."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    wechatpay = FakeWeChatPay(WeChatPayKeys()).start(wechatpay_port)
    alipay = FakeAlipay(AlipayKeys(certificates=alipay_certificates)).start(alipay_port)
    files = {
        "wechatpay_merchant_key.pem": (
            "WECHATPAY_PRIVATE_KEY",
            wechatpay.keys.merchant.private_pem,
        ),
        "alipay_app_private_key.pem": ("ALIPAY_APP_PRIVATE_KEY", alipay.keys.app.private_pem),
    }
    certs = alipay.keys.certificates
    if certs is None:
        files["alipay_public_key.pem"] = ("ALIPAY_PUBLIC_KEY", alipay.keys.alipay.public_pem)
    else:
        files[f"appCertPublicKey_{alipay.keys.app_id}.crt"] = ("ALIPAY_APP_CERT", certs.app_cert)
        files["alipayCertPublicKey_RSA2.crt"] = ("ALIPAY_PUBLIC_CERT", certs.alipay_cert)
        files["alipayRootCert.crt"] = ("ALIPAY_ROOT_CERT", certs.root_chain)
    shop = wechatpay.keys.shop_settings(wechatpay.url, str(keys_dir / "wechatpay-certs"))
    shop.update(alipay.keys.shop_settings(alipay.url))
    for name, (setting, text) in files.items():
        (keys_dir / name).write_text(text)
        shop[setting] = str(keys_dir / name)
    return {"wechatpay": wechatpay, "alipay": alipay, "settings": shop}


class Command(BaseCommand):
    help = "Serve local fakes of WeChat Pay and Alipay for development."

    def add_arguments(self, parser: Any) -> None:
        default = Path(tempfile.gettempdir()) / "coshop-payment-fakes"
        parser.add_argument("--keys-dir", default=str(default))
        parser.add_argument("--wechatpay-port", type=int, default=8190)
        parser.add_argument("--alipay-port", type=int, default=8191)
        parser.add_argument(
            "--alipay-certificates",
            action="store_true",
            help="Alipay in public-key certificate mode (公钥证书模式).",
        )
        parser.add_argument(
            "--shop-url", default="http://127.0.0.1:8000", help="Where the shop listens."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = fakes_start(
            Path(options["keys_dir"]),
            options["wechatpay_port"],
            options["alipay_port"],
            alipay_certificates=options["alipay_certificates"],
        )
        shop = options["shop_url"].rstrip("/")
        env = {
            **started["settings"],
            "WECHATPAY_NOTIFY_URL": f"{shop}/api/v1/payments/wechatpay/notify/",
            "ALIPAY_NOTIFY_URL": f"{shop}/api/v1/payments/alipay/notify/",
        }
        self.stdout.write("# export these before starting the shop:")
        for name, value in env.items():
            self.stdout.write(f"export {name}='{value}'")
        self.stdout.write("# serving; Ctrl-C to stop")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            started["wechatpay"].stop()
            started["alipay"].stop()
