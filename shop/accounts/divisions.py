"""Mainland China's administrative divisions (province, city, district) by their national
six-digit codes (GB/T 2260): ``data/cn_divisions.json``, built from the ``adcodes.csv``
that the cpca package (0.5.5, MIT, ``data/cn_divisions.LICENSE``) ships, keeping each
code's first six digits and its name.

A province's code ends in ``0000``, a city's in ``00`` and starts with its province's two
digits, a district starts with its city's four. Municipalities (Beijing, ...) have a
"市辖区" city; county-level cities under a province sit under its "省直辖县级行政区划";
a few cities (Dongguan) and regions (Taiwan, Hong Kong, Macao) have nothing below.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from shop.core.errors import InvalidInput

DATA = Path(__file__).parent / "data" / "cn_divisions.json"


@functools.cache
def divisions() -> dict[str, str]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _children(prefix: str, level: str) -> list[tuple[str, str]]:
    """The divisions one level below ``prefix`` (two digits: cities; four: districts)."""
    found = []
    for code, name in divisions().items():
        if not code.startswith(prefix) or code == prefix.ljust(6, "0"):
            continue
        is_city = code.endswith("00") and not code.endswith("0000")
        if (level == "city" and is_city) or (level == "district" and not code.endswith("00")):
            found.append((code, name))
    return found


def division_children(code: str | None) -> list[tuple[str, str]]:
    """Provinces (``code`` None), a province's cities, or a city's districts."""
    if not code:
        return [(c, n) for c, n in divisions().items() if c.endswith("0000")]
    if code.endswith("0000"):
        return _children(code[:2], "city")
    if code.endswith("00"):
        return _children(code[:4], "district")
    return []


@dataclass(frozen=True)
class Divisions:
    province_code: str
    city_code: str
    district_code: str
    province: str
    city: str
    district: str


def divisions_check(province: str, city: str, district: str) -> Divisions:
    """The names of a province, city and district given by code, each below the one
    before; a level may be empty only where the one above has nothing below it."""
    names = divisions()
    errors: dict[str, list[str]] = {}
    if not (province.endswith("0000") and province in names):
        errors["province_code"] = [_("Not a province's code.")]
    elif not division_children(province):
        city = district = ""
    elif not (
        city in names and city[:2] == province[:2] and city in dict(_children(city[:2], "city"))
    ):
        errors["city_code"] = [_("Not a city of this province.")]
    elif not division_children(city):
        district = ""
    elif district not in dict(division_children(city)):
        errors["district_code"] = [_("Not a district of this city.")]
    if errors:
        raise InvalidInput(fields=errors)
    return Divisions(
        province_code=province,
        city_code=city,
        district_code=district,
        province=names[province],
        city=names.get(city, ""),
        district=names.get(district, ""),
    )
