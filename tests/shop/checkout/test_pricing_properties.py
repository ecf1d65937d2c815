"""Totals and vouchers hold for any amounts."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shop.checkout.models import ShippingMethod, Voucher, VoucherKind
from shop.checkout.pricing import totals_compute, voucher_discount

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)


@given(
    lines=st.lists(money, max_size=20),
    shipping=money,
    free_above=st.one_of(st.none(), money),
    percent=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
)
def test_totals_add_up_and_never_go_negative(lines, shipping, free_above, percent):
    method = ShippingMethod(price=shipping, free_above=free_above)
    voucher = Voucher(kind=VoucherKind.PERCENTAGE, value=percent)
    totals = totals_compute(lines, method, voucher)
    assert totals.subtotal == sum(lines, Decimal("0"))
    assert totals.total == totals.subtotal + totals.shipping - totals.discount
    assert Decimal("0") <= totals.discount <= totals.subtotal
    assert totals.total >= 0
    assert totals.total.as_tuple().exponent == -2
    if free_above is not None and totals.subtotal >= free_above:
        assert totals.shipping == 0


@given(subtotal=money, value=money.filter(lambda v: v > 0))
def test_fixed_discount_is_capped_by_the_subtotal(subtotal, value):
    discount = voucher_discount(Voucher(kind=VoucherKind.FIXED, value=value), subtotal)
    assert discount == min(value, subtotal)
