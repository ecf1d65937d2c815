"""Client for a Chinese express carrier's open API (the common "app key + data digest" shape).

Every request is a JSON POST carrying three headers:

- ``x-appKey``: our account's key;
- ``x-timestamp``: milliseconds since the epoch;
- ``x-dataDigest``: base64 of the MD5 of ``body + app secret`` (the carrier recomputes it).

Answers are ``{"status": bool, "statusCode": str, "message": str, "result": {...}}``.

Errors are mapped so the tasks know whether to retry:

- timeout, connection refused, HTTP 5xx or 429, or ``statusCode`` ``SYSTEM_BUSY``
  -> :class:`CarrierTemporaryError` (retried with backoff);
- other HTTP 4xx, a refusal (``status`` false), a body that is not the JSON we expect
  -> :class:`CarrierPermanentError` (recorded on the shipment).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from fulfillment.carriers.base import (
    Booking,
    CarrierPermanentError,
    CarrierTemporaryError,
    TrackingUpdate,
)
from fulfillment.models import CarrierCode, Shipment, TrackingCode

CARRIER_TIMEZONE = ZoneInfo("Asia/Shanghai")
TEMPORARY_STATUS_CODES = {"SYSTEM_BUSY", "SYSTEM_ERROR", "RATE_LIMITED"}
SCAN_TYPES = {
    "收件": TrackingCode.PICKED_UP,
    "发件": TrackingCode.IN_TRANSIT,
    "到件": TrackingCode.IN_TRANSIT,
    "派件": TrackingCode.OUT_FOR_DELIVERY,
    "签收": TrackingCode.DELIVERED,
    "问题件": TrackingCode.EXCEPTION,
}
SCAN_TYPES_EN = {
    TrackingCode.PICKED_UP: "Picked up",
    TrackingCode.IN_TRANSIT: "In transit",
    TrackingCode.OUT_FOR_DELIVERY: "Out for delivery",
    TrackingCode.DELIVERED: "Delivered",
    TrackingCode.EXCEPTION: "Problem reported by the carrier",
}


def data_digest(body: bytes, secret: str) -> str:
    """base64(md5(body + secret)), the signature the carrier checks."""
    return base64.b64encode(hashlib.md5(body + secret.encode()).digest()).decode()  # noqa: S324


class ExpressCarrier:
    code = CarrierCode.EXPRESS.value
    books_in_process = False  # over HTTP: booked outside any transaction

    def __init__(self, *, base_url: str, app_key: str, app_secret: str, timeout: float) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise CarrierPermanentError("The express carrier's base URL is not configured.")
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> ExpressCarrier:
        return cls(
            base_url=getattr(settings, "SHOP_EXPRESS_BASE_URL", ""),
            app_key=getattr(settings, "SHOP_EXPRESS_APP_KEY", ""),
            app_secret=getattr(settings, "SHOP_EXPRESS_APP_SECRET", ""),
            timeout=float(getattr(settings, "SHOP_EXPRESS_TIMEOUT_SECONDS", 5)),
        )

    # Transport

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            f"{self.base_url}{path}",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "x-appKey": self.app_key,
                "x-timestamp": str(int(time.time() * 1000)),
                "x-dataDigest": data_digest(body, self.app_secret),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise CarrierTemporaryError(f"carrier answered HTTP {exc.code}") from exc
            raise CarrierPermanentError(f"carrier refused the request: HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise CarrierTemporaryError("carrier did not answer in time") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise CarrierTemporaryError("carrier did not answer in time") from exc
            raise CarrierTemporaryError(f"carrier unreachable: {exc.reason}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise CarrierTemporaryError(f"connection to the carrier failed: {exc}") from exc
        return self._result(raw)

    def _result(self, raw: bytes) -> dict[str, Any]:
        try:
            answer = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CarrierPermanentError("carrier answered something that is not JSON") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("status"), bool):
            raise CarrierPermanentError("carrier answered JSON of an unknown shape")
        if not answer["status"]:
            code = str(answer.get("statusCode", ""))
            message = str(answer.get("message", ""))[:200]
            if code in TEMPORARY_STATUS_CODES:
                raise CarrierTemporaryError(f"carrier busy: {code} {message}")
            raise CarrierPermanentError(f"carrier refused: {code} {message}".strip())
        result = answer.get("result")
        if not isinstance(result, dict):
            raise CarrierPermanentError("carrier answer has no result")
        return result

    # Operations

    def book(self, shipment: Shipment) -> Booking:
        warehouse = shipment.warehouse
        address = shipment.order.shipping_address or {}
        payload = {
            # The carrier de-duplicates by our reference: booking twice gives one waybill.
            "partnerOrderCode": f"shipment-{shipment.pk}",
            "orderType": "1",
            "sender": {
                "name": warehouse.name_zh,
                "mobile": warehouse.phone,
                "prov": warehouse.province,
                "city": warehouse.city,
                "county": warehouse.district,
                "address": warehouse.street,
            },
            "receiver": {
                "name": address.get("name", ""),
                "mobile": address.get("phone", ""),
                "prov": address.get("province", ""),
                "city": address.get("city", ""),
                "county": address.get("district", ""),
                "address": address.get("street", ""),
            },
            "items": [
                {"name": item.order_line.sku, "quantity": item.quantity}
                for item in shipment.lines.select_related("order_line").order_by("id")
            ],
        }
        result = self._post("/api/order/create", payload)
        waybill = result.get("billCode")
        if not isinstance(waybill, str) or not waybill.strip() or len(waybill) > 64:
            raise CarrierPermanentError("carrier answer has no usable waybill number")
        label = b""
        if result.get("labelPdf"):
            try:
                label = base64.b64decode(str(result["labelPdf"]), validate=True)
            except ValueError as exc:
                raise CarrierPermanentError("carrier label is not valid base64") from exc
        return Booking(waybill_number=waybill.strip(), label_pdf=label)

    def track(self, shipment: Shipment) -> list[TrackingUpdate]:
        result = self._post("/api/trace/query", {"billCode": shipment.waybill_number})
        traces = result.get("traces")
        if not isinstance(traces, list):
            raise CarrierPermanentError("carrier tracking answer has no traces")
        updates = []
        for trace in traces:
            if not isinstance(trace, dict):
                raise CarrierPermanentError("carrier tracking entry is not an object")
            code = SCAN_TYPES.get(str(trace.get("scanType", "")))
            if code is None:
                continue  # scans we do not show (sorting centre internals)
            try:
                occurred_at = datetime.strptime(
                    str(trace.get("scanDate", "")), "%Y-%m-%d %H:%M:%S"
                ).replace(tzinfo=CARRIER_TIMEZONE)
            except ValueError as exc:
                raise CarrierPermanentError("carrier tracking time is not readable") from exc
            updates.append(
                TrackingUpdate(
                    code=code,
                    occurred_at=occurred_at,
                    location=str(trace.get("scanSite", ""))[:200],
                    description_zh=str(trace.get("desc", ""))[:300],
                    description_en=SCAN_TYPES_EN[code],
                )
            )
        return sorted(updates, key=lambda update: update.occurred_at)
