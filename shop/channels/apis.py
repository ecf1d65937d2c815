"""The storefront's own channel, and staff management of channels and their keys."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.channels.models import ChannelKind, SalesChannel
from shop.channels.selectors import (
    channel_from_request,
    channel_list,
    drop_list_for_channel,
    partners_all,
)
from shop.channels.services import channel_api_key_issue, channel_create
from shop.core.errors import Conflict, NotFound
from shop.core.i18n import language_from_request, pick
from shop.core.permissions import IsStaff, IsSuperuser
from shop.core.schema import error_responses


class ChannelOutputSerializer(serializers.ModelSerializer):
    owner: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = SalesChannel
        fields = [
            "code",
            "name_zh",
            "name_en",
            "kind",
            "owner",
            "commission_rate",
            "is_active",
            "is_public",
        ]


class ChannelWithKeySerializer(ChannelOutputSerializer):
    api_key = serializers.CharField(read_only=True, help_text="Shown once; store it safely.")

    class Meta(ChannelOutputSerializer.Meta):
        fields = [*ChannelOutputSerializer.Meta.fields, "api_key"]


class CurrentChannelApi(APIView):
    """The channel a storefront request is attributed to (from its key or public code)."""

    @extend_schema(
        responses={200: ChannelOutputSerializer, **error_responses(400, 401, 403, 404)},
        operation_id="channel_current",
    )
    def get(self, request: Request) -> Response:
        channel = channel_from_request(request)
        return Response(ChannelOutputSerializer(channel).data)


class ChannelListCreateApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        code = serializers.SlugField(max_length=40)
        name_zh = serializers.CharField(max_length=200)
        name_en = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=ChannelKind.choices)
        owner = serializers.SlugRelatedField(slug_field="code", queryset=partners_all())
        commission_rate = serializers.DecimalField(
            max_digits=5,
            decimal_places=4,
            min_value=Decimal("0"),
            max_value=Decimal("1"),
            default=Decimal("0"),
        )
        is_public = serializers.BooleanField(default=False)

    def get_permissions(self) -> list:
        return [IsSuperuser()] if self.request.method == "POST" else [IsStaff()]

    @extend_schema(responses=ChannelOutputSerializer(many=True), operation_id="staff_channel_list")
    def get(self, request: Request) -> Response:
        return Response(ChannelOutputSerializer(channel_list(), many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: ChannelWithKeySerializer, **error_responses(409)},
        operation_id="staff_channel_create",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if SalesChannel.objects.filter(code=serializer.validated_data["code"]).exists():
            raise Conflict(_("A channel with this code exists."), code="channel_code_taken")
        try:
            issued = channel_create(**serializer.validated_data)
        except IntegrityError as exc:
            raise Conflict(
                _("A channel with this code exists."), code="channel_code_taken"
            ) from exc
        data = ChannelOutputSerializer(issued.channel).data
        data["api_key"] = issued.key
        return Response(data, status=201)


class ChannelKeyRotateApi(APIView):
    permission_classes = [IsSuperuser]

    @extend_schema(
        request=None,
        responses={200: ChannelWithKeySerializer},
        operation_id="staff_channel_key_rotate",
    )
    def post(self, request: Request, code: str) -> Response:
        channel = SalesChannel.objects.select_related("owner").filter(code=code).first()
        if channel is None:
            raise NotFound(_("No such channel."))
        issued = channel_api_key_issue(channel=channel)
        data = ChannelOutputSerializer(issued.channel).data
        data["api_key"] = issued.key
        return Response(data)


class DropVariantSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_slug = serializers.CharField()
    name = serializers.CharField()


class DropOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    is_live = serializers.BooleanField()
    variants = DropVariantSerializer(many=True)


class DropListApi(APIView):
    """Livestream drops of the storefront's channel that are live now or still to come."""

    @extend_schema(
        responses={200: DropOutputSerializer(many=True), **error_responses(400, 401, 403, 404)},
        operation_id="drop_list",
    )
    def get(self, request: Request) -> Response:
        channel = channel_from_request(request)
        assert channel is not None
        now = timezone.now()
        lang = language_from_request(request)
        body = [
            {
                "code": drop.code,
                "name": pick(drop, "name", lang),
                "starts_at": drop.starts_at,
                "ends_at": drop.ends_at,
                "is_live": drop.starts_at <= now < drop.ends_at,
                "variants": [
                    {
                        "sku": v.sku,
                        "product_slug": v.product.slug,
                        "name": f"{pick(v.product, 'name', lang)} {pick(v, 'name', lang)}".strip(),
                    }
                    for v in drop.variants.all()
                ],
            }
            for drop in drop_list_for_channel(channel, now)
        ]
        return Response(DropOutputSerializer(body, many=True).data)
