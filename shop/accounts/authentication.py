"""How an API request signs in with a device token (shop/accounts/tokens.py).

DRF reads its authentication classes while Django is still loading, before models can be
imported: knox (whose module defines a model) is imported on the first request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

# A device's "last used" is written at most this often: not one write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class DeviceTokenAuthentication(BaseAuthentication):
    """knox's token authentication (``Authorization: Token <token>``, digest compared,
    expired tokens refused and dropped) that also notes when a device was last used."""

    def _knox(self) -> Any:
        from knox.auth import TokenAuthentication

        return TokenAuthentication()

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        found = self._knox().authenticate(request)
        if found is None:
            return None
        user, device = found
        now = timezone.now()
        if device.last_used_at is None or device.last_used_at < now - LAST_USED_RESOLUTION:
            type(device).objects.filter(pk=device.pk).update(last_used_at=now)
            device.last_used_at = now
        return user, device

    def authenticate_header(self, request: Any) -> str:
        return "Token"
