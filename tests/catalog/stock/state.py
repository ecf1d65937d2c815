"""The state a refused stock operation must leave alone."""

from catalog.models import Stock, StockMovement


def stock_state() -> list[tuple]:
    """Every stock row and the number of movements: what a failed call must leave alone."""
    rows = list(
        Stock.objects.order_by("pk").values_list(
            "pk", "quantity", "quantity_reserved", "low_stock_threshold"
        )
    )
    return [*rows, ("movements", StockMovement.objects.count())]
