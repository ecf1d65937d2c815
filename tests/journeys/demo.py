"""What the journeys know of the demo data, as the README tells it to a newcomer."""

from __future__ import annotations

STAFF_PASSWORD = "demo-staff-pass"
VIEWER_PASSWORD = "demo-viewer-pass"
SHOPPER = ("shopper@example.com", "demo-shopper-pass")
MUSEUM_STAFF = ("museum-staff@example.com", STAFF_PASSWORD)
MEDIA_STAFF = ("media-staff@example.com", STAFF_PASSWORD)
MUSEUM_VIEWER = ("museum-viewer@example.com", VIEWER_PASSWORD)
MEDIA_VIEWER = ("media-viewer@example.com", VIEWER_PASSWORD)

MUSEUM_WEB = "museum-web"  # the museum's web shop: public, addressed as ?channel=
MEDIA_APP = "media-app"  # the newspaper's app: identifies itself with its channel key

ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}
