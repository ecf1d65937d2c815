"""Staff inventory API, under /api/v1/staff/."""

from django.urls import path

from catalog import staff_apis

urlpatterns = [
    path("warehouses/", staff_apis.WarehouseListApi.as_view(), name="staff-warehouse-list"),
    path("stock/", staff_apis.StockListApi.as_view(), name="staff-stock-list"),
    path("stock/receive/", staff_apis.StockReceiveApi.as_view(), name="staff-stock-receive"),
    path("stock/transfer/", staff_apis.StockTransferApi.as_view(), name="staff-stock-transfer"),
    path("stock/export.csv", staff_apis.StockExportApi.as_view(), name="staff-stock-export"),
    path("stock/import/", staff_apis.StockImportApi.as_view(), name="staff-stock-import"),
    path(
        "stock/<int:stock_id>/adjust/",
        staff_apis.StockAdjustApi.as_view(),
        name="staff-stock-adjust",
    ),
    path(
        "stock/<int:stock_id>/count/", staff_apis.StockCountApi.as_view(), name="staff-stock-count"
    ),
    path(
        "stock/<int:stock_id>/low-threshold/",
        staff_apis.StockLowThresholdApi.as_view(),
        name="staff-stock-low-threshold",
    ),
    path(
        "stock/<int:stock_id>/movements/",
        staff_apis.StockMovementListApi.as_view(),
        name="staff-stock-movements",
    ),
    path(
        "products/export.csv",
        staff_apis.ProductExportApi.as_view(),
        name="staff-product-export",
    ),
    path("products/import/", staff_apis.ProductImportApi.as_view(), name="staff-product-import"),
]
