"""Every factory and builder the tests use, in one package: ``from tests.factories import X``.

One module per domain of the shop (accounts, partners, channels, catalog, agreements,
selling, fulfillment), and ``demo_shop`` for the demo shop with orders in every state that
the hardening tests attack. Only the outside world is faked elsewhere (providers,
carriers); everything here builds real rows through the shop's own code or models.
"""

from tests.factories.accounts import StaffFactory, SuperuserFactory, UserFactory, api_token_for
from tests.factories.agreements import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementVersionFactory,
)
from tests.factories.catalog import (
    CollectionFactory,
    ListEntriesRefreshed,
    ProductChannelListingFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    RelicFactory,
    StockFactory,
    TagFactory,
    VariantChannelPriceFactory,
    WarehouseFactory,
    catalog_listed_in,
    product_with_variant,
    stock_with_units,
)
from tests.factories.channels import SalesChannelFactory
from tests.factories.partners import PartnerFactory, PartnerMembershipFactory, PartnerStaffFactory
from tests.factories.selling import (
    ADDRESS,
    CartFactory,
    CartLineFactory,
    OrderFactory,
    PaymentFactory,
    ShippingMethodFactory,
    VoucherFactory,
    order_with_stock,
)

__all__ = [
    "ADDRESS",
    "AgreementFactory",
    "AgreementPartyFactory",
    "AgreementVersionFactory",
    "CartFactory",
    "CartLineFactory",
    "CollectionFactory",
    "ListEntriesRefreshed",
    "OrderFactory",
    "PartnerFactory",
    "PartnerMembershipFactory",
    "PartnerStaffFactory",
    "PaymentFactory",
    "ProductChannelListingFactory",
    "ProductFactory",
    "ProductImageFactory",
    "ProductVariantFactory",
    "RelicFactory",
    "SalesChannelFactory",
    "ShippingMethodFactory",
    "StaffFactory",
    "StockFactory",
    "SuperuserFactory",
    "TagFactory",
    "UserFactory",
    "VariantChannelPriceFactory",
    "VoucherFactory",
    "WarehouseFactory",
    "api_token_for",
    "catalog_listed_in",
    "order_with_stock",
    "product_with_variant",
    "stock_with_units",
]
