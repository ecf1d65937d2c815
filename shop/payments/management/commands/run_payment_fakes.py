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


def fakes_start(keys_dir: Path, wechatpay_port: int, alipay_port: int) -> dict[str, Any]:
    """Start both fakes; returns them and the settings the shop needs (key files in
    ``keys_dir``)."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    wechatpay = FakeWeChatPay(WeChatPayKeys()).start(wechatpay_port)
    alipay = FakeAlipay(AlipayKeys()).start(alipay_port)
    files = {
        "wechatpay_merchant_key.pem": wechatpay.keys.merchant.private_pem,
        "alipay_app_private_key.pem": alipay.keys.app.private_pem,
        "alipay_public_key.pem": alipay.keys.alipay.public_pem,
    }
    for name, text in files.items():
        (keys_dir / name).write_text(text)
    shop = wechatpay.keys.shop_settings(wechatpay.url, str(keys_dir / "wechatpay-certs"))
    shop["WECHATPAY_PRIVATE_KEY"] = str(keys_dir / "wechatpay_merchant_key.pem")
    shop.update(alipay.keys.shop_settings(alipay.url))
    shop["ALIPAY_APP_PRIVATE_KEY"] = str(keys_dir / "alipay_app_private_key.pem")
    shop["ALIPAY_PUBLIC_KEY"] = str(keys_dir / "alipay_public_key.pem")
    return {"wechatpay": wechatpay, "alipay": alipay, "settings": shop}


class Command(BaseCommand):
    help = "Serve local fakes of WeChat Pay and Alipay for development."

    def add_arguments(self, parser: Any) -> None:
        default = Path(tempfile.gettempdir()) / "coshop-payment-fakes"
        parser.add_argument("--keys-dir", default=str(default))
        parser.add_argument("--wechatpay-port", type=int, default=8190)
        parser.add_argument("--alipay-port", type=int, default=8191)
        parser.add_argument(
            "--shop-url", default="http://127.0.0.1:8000", help="Where the shop listens."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = fakes_start(
            Path(options["keys_dir"]), options["wechatpay_port"], options["alipay_port"]
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
