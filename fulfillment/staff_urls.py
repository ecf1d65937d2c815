"""Staff fulfilment API, under /api/v1/staff/."""

from django.urls import path

from fulfillment import staff_apis as a

urlpatterns = [
    path("fulfillment/shipments/", a.ShipmentListApi.as_view(), name="staff-shipment-list"),
    path(
        "fulfillment/shipments/<int:shipment_id>/",
        a.ShipmentDetailApi.as_view(),
        name="staff-shipment-detail",
    ),
    path(
        "fulfillment/shipments/<int:shipment_id>/pack/",
        a.ShipmentPackApi.as_view(),
        name="staff-shipment-pack",
    ),
    path(
        "fulfillment/shipments/<int:shipment_id>/ship/",
        a.ShipmentShipApi.as_view(),
        name="staff-shipment-ship",
    ),
    path(
        "fulfillment/shipments/<int:shipment_id>/deliver/",
        a.ShipmentDeliverApi.as_view(),
        name="staff-shipment-deliver",
    ),
    path(
        "fulfillment/shipments/<int:shipment_id>/book/",
        a.ShipmentBookApi.as_view(),
        name="staff-shipment-book",
    ),
    path(
        "fulfillment/shipments/<int:shipment_id>/label.pdf",
        a.ShipmentLabelApi.as_view(),
        name="staff-shipment-label",
    ),
    path(
        "fulfillment/warehouses/<slug:code>/pick-list/",
        a.WarehousePickListApi.as_view(),
        name="staff-warehouse-pick-list",
    ),
    path("fulfillment/returns/", a.ReturnListApi.as_view(), name="staff-return-list"),
    path(
        "fulfillment/returns/<int:return_id>/",
        a.ReturnDetailApi.as_view(),
        name="staff-return-detail",
    ),
    path(
        "fulfillment/returns/<int:return_id>/approve/",
        a.ReturnApproveApi.as_view(),
        name="staff-return-approve",
    ),
    path(
        "fulfillment/returns/<int:return_id>/reject/",
        a.ReturnRejectApi.as_view(),
        name="staff-return-reject",
    ),
    path(
        "fulfillment/returns/<int:return_id>/receive/",
        a.ReturnReceiveApi.as_view(),
        name="staff-return-receive",
    ),
    path(
        "fulfillment/returns/<int:return_id>/refund/",
        a.ReturnRefundApi.as_view(),
        name="staff-return-refund",
    ),
]
