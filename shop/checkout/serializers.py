"""Addresses in the format Chinese addresses use, and an international one."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

_CN_POSTCODE = re.compile(r"^\d{6}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


class AddressSerializer(serializers.Serializer):
    """A shipping address. For China (``country`` "CN") province, city, district and street
    are required, the postcode optional (six digits); elsewhere ``line1``, ``city`` and
    ``postcode``."""

    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32)
    country = serializers.CharField(max_length=2, min_length=2, default="CN")
    province = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    district = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    street = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    line1 = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    line2 = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")

    def validate_country(self, value: str) -> str:
        if not value.isalpha():
            raise serializers.ValidationError(_("Use a two-letter ISO country code."))
        return value.upper()

    def validate_phone(self, value: str) -> str:
        if not _PHONE.match(value.strip()):
            raise serializers.ValidationError(_("Not a valid phone number."))
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        if attrs["country"] == "CN":
            for field in ("province", "city", "district", "street"):
                if not attrs.get(field, "").strip():
                    errors[field] = [_("Required for an address in China.")]
            # Optional in China (few shoppers know theirs); six digits when given.
            if attrs.get("postcode") and not _CN_POSTCODE.match(attrs["postcode"]):
                errors["postcode"] = [_("A Chinese postcode has six digits.")]
        else:
            for field in ("line1", "city", "postcode"):
                if not attrs.get(field, "").strip():
                    errors[field] = [_("Required for an international address.")]
        if errors:
            raise serializers.ValidationError(errors)
        return {key: value for key, value in attrs.items() if value != ""}
