"""Taxpayer numbers a company fapiao names: the 18-character unified social credit code
(GB 32100-2015, with its check character), the 15-character tax registration numbers of
before it (a division code and a GB 11714 organisation code with its check digit), and the
20-character numbers of individual businesses (a resident identity number, GB 11643,
followed by two characters)."""

from __future__ import annotations

import re

_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_USCC = re.compile(rf"^[1-9A-HJ-NPQRTUWXY][0-9A-HJ-NPQRTUWXY]\d{{6}}[{_USCC_CHARSET}]{{10}}$")
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]


def _uscc_valid(code: str) -> bool:
    if not _USCC.match(code):
        return False
    total = sum(_USCC_CHARSET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31] == code[17]


def _organisation_code_valid(code: str) -> bool:
    if not re.match(r"^[0-9A-Z]{8}[0-9X]$", code):
        return False
    total = sum(int(c, 36) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return code[8] == {10: "X", 11: "0"}.get(check, str(check))


def _resident_id_valid(number: str) -> bool:
    if not re.match(r"^\d{17}[\dX]$", number):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def tax_number_normalize(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def tax_number_valid(value: str) -> bool:
    code = tax_number_normalize(value)
    if len(code) == 18:
        return _uscc_valid(code)
    if len(code) == 15:
        return code[:6].isdigit() and _organisation_code_valid(code[6:])
    if len(code) == 20:
        return _resident_id_valid(code[:18]) and code[18:].isalnum()
    return False
