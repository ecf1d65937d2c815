"""Staff inventory API, under /api/v1/staff/."""

from django.urls import path

from catalog.csv import staff_apis as csv_staff_apis
from catalog.stock import staff_apis as stock_staff_apis

urlpatterns = [
    path("warehouses/", stock_staff_apis.WarehouseListApi.as_view(), name="staff-warehouse-list"),
    path("stock/", stock_staff_apis.StockListApi.as_view(), name="staff-stock-list"),
    path("stock/receive/", stock_staff_apis.StockReceiveApi.as_view(), name="staff-stock-receive"),
    path(
        "stock/transfer/", stock_staff_apis.StockTransferApi.as_view(), name="staff-stock-transfer"
    ),
    path("stock/export.csv", csv_staff_apis.StockExportApi.as_view(), name="staff-stock-export"),
    path("stock/import/", csv_staff_apis.StockImportApi.as_view(), name="staff-stock-import"),
    path(
        "imports/<int:import_id>/", csv_staff_apis.CsvImportApi.as_view(), name="staff-csv-import"
    ),
    path(
        "stock/<int:stock_id>/adjust/",
        stock_staff_apis.StockAdjustApi.as_view(),
        name="staff-stock-adjust",
    ),
    path(
        "stock/<int:stock_id>/count/",
        stock_staff_apis.StockCountApi.as_view(),
        name="staff-stock-count",
    ),
    path(
        "stock/<int:stock_id>/low-threshold/",
        stock_staff_apis.StockLowThresholdApi.as_view(),
        name="staff-stock-low-threshold",
    ),
    path(
        "stock/<int:stock_id>/movements/",
        stock_staff_apis.StockMovementListApi.as_view(),
        name="staff-stock-movements",
    ),
    path(
        "products/export.csv",
        csv_staff_apis.ProductExportApi.as_view(),
        name="staff-product-export",
    ),
    path(
        "products/import/", csv_staff_apis.ProductImportApi.as_view(), name="staff-product-import"
    ),
]
