"""Shipping labels as PDF (A6), with the waybill as a Code 128 barcode.

Used by the simulated carrier and for shipments staff ship by hand; a real carrier
returns its own label.
"""

from __future__ import annotations

import io

from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from fulfillment.models import Shipment

_FONT = "STSong-Light"


def _font() -> str:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    return _FONT


def _address_lines(address: dict) -> list[str]:
    place = " ".join(
        str(address.get(key, "")) for key in ("province", "city", "district") if address.get(key)
    )
    return [
        f"{address.get('name', '')}  {address.get('phone', '')}".strip(),
        place,
        str(address.get("street", "")),
        str(address.get("postcode", "")),
    ]


def label_render(shipment: Shipment, waybill_number: str) -> bytes:
    """One A6 page: barcode, waybill, sender warehouse, recipient, order and contents."""
    font = _font()
    order = shipment.order
    warehouse = shipment.warehouse
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A6, pageCompression=0)
    pdf.setTitle(f"Label {waybill_number}")
    height = A6[1]
    y = height - 12 * mm
    pdf.setFont(font, 12)
    pdf.drawString(8 * mm, y, f"运单 Waybill {waybill_number}")
    barcode = code128.Code128(waybill_number, barHeight=12 * mm, barWidth=0.35 * mm)
    barcode.drawOn(pdf, 4 * mm, y - 16 * mm)
    y -= 24 * mm
    pdf.setFont(font, 8)
    pdf.drawString(8 * mm, y, f"寄件 From: {warehouse.name_zh} / {warehouse.name_en}")
    y -= 4 * mm
    pdf.drawString(8 * mm, y, f"{warehouse.province} {warehouse.city} {warehouse.street}")
    y -= 7 * mm
    pdf.setFont(font, 10)
    pdf.drawString(8 * mm, y, "收件 To:")
    for line in _address_lines(order.shipping_address or {}):
        if line:
            y -= 5 * mm
            pdf.drawString(12 * mm, y, line[:48])
    y -= 8 * mm
    pdf.setFont(font, 8)
    pdf.drawString(8 * mm, y, f"订单 Order {order.number or order.pk}  包裹 Shipment {shipment.pk}")
    for item in shipment.lines.select_related("order_line").order_by("id"):
        y -= 4 * mm
        if y < 8 * mm:
            break
        pdf.drawString(10 * mm, y, f"{item.quantity} x {item.order_line.sku}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
