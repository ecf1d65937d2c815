from django.urls import path

from shop.channels import apis

urlpatterns = [
    path("channel/", apis.CurrentChannelApi.as_view(), name="channel-current"),
    path("drops/", apis.DropListApi.as_view(), name="drop-list"),
    path("staff/channels/", apis.ChannelListCreateApi.as_view(), name="staff-channel-list"),
    path(
        "staff/channels/<slug:code>/rotate-key/",
        apis.ChannelKeyRotateApi.as_view(),
        name="staff-channel-rotate-key",
    ),
]
