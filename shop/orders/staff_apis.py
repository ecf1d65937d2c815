"""Staff order API under /api/v1/staff/: find orders. (One order with its payments, its
refunds and cancelling it: shop/payments/staff_order_apis.py.)

Staff see and handle the orders of their partner (shop/orders/staff_selectors.py);
others get 403.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.errors import InvalidInput
from shop.core.pagination import PagePagination
from shop.core.permissions import IsStaff
from shop.core.schema import ErrorSerializer
from shop.orders.staff_selectors import orders_for_staff
from shop.orders.staff_serializers import OrderFilter, StaffOrderSummarySerializer

_ERROR = ErrorSerializer


class StaffOrderListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = PagePagination  # so the schema shows the page, not a bare list

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, many=True),
            OpenApiParameter("channel", str, description="Channel code."),
            OpenApiParameter("created_from", str, description="ISO date-time, inclusive."),
            OpenApiParameter("created_to", str, description="ISO date-time, exclusive."),
            OpenApiParameter("search", str, description="Order number or e-mail."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: StaffOrderSummarySerializer(many=True), 400: _ERROR, 403: _ERROR},
        operation_id="staff_order_list",
    )
    def get(self, request: Request) -> Response:
        filterset = OrderFilter(request.query_params, queryset=orders_for_staff(request.user))
        if not filterset.is_valid():
            raise InvalidInput(fields={k: [str(m) for m in v] for k, v in filterset.errors.items()})
        paginator = PagePagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        return paginator.get_paginated_response(StaffOrderSummarySerializer(page, many=True).data)
