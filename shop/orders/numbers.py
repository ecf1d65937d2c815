"""Order numbers: readable by a person, never guessable by a machine.

A number is the day the order was placed, its counter (the order's id) and a random
check part: ``20250314000123-K7QM``. The day and the counter keep numbers short,
sortable and easy to read out on the phone; the check part (four characters from an
alphabet without look-alikes such as 0/O or 1/I/L, drawn with ``secrets``) means that
knowing one number, or the day and a rough count of orders, does not give the next
one: about 900,000 candidates stand behind every day and counter. The counter alone
keeps two orders from ever sharing a number.

Numbers given before the check part existed (``20250314000123``) stay as they were:
orders are found by their exact number.
"""

from __future__ import annotations

import datetime as dt
import secrets

# Crockford-like: digits and capitals with 0, 1, I, L and O left out, so a number read
# aloud or copied by hand cannot be mistaken for another.
CHECK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_LENGTH = 4
# The column's width: the day (8), a counter of up to 18 digits, "-" and the check part.
NUMBER_MAX_LENGTH = 32


def order_number_new(*, order_id: int, day: dt.date) -> str:
    """The number of the order with this id, placed (or paid, for imported orders) on
    ``day``."""
    check = "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))
    return f"{day:%Y%m%d}{order_id:06d}-{check}"
