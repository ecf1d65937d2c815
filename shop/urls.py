"""The shop's URLs: the versioned JSON API under /api/v1/, its schema and docs, the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shop.accounts.sign_in_pages import sign_in_page
from shop.core import front_door, health
from shop.core.media import media_urlpatterns

api_v1 = [
    path("", include("catalog.urls")),
    path("staff/", include("catalog.staff_urls")),
    path("", include("shop.accounts.urls")),
    path("", include("shop.channels.urls")),
    path("", include("shop.checkout.urls")),
    path("", include("shop.orders.urls")),
    path("staff/", include("shop.orders.staff_urls")),
    path("", include("shop.payments.urls")),
    path("staff/", include("shop.payments.staff_urls")),
    path("", include("fulfillment.urls")),
    path("staff/", include("fulfillment.staff_urls")),
    path("partners/", include("partners.urls")),
]

urlpatterns = [
    path("", front_door.home, name="home"),
    path("api/v1/", front_door.api_index, name="api-index"),
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("metrics/", include("shop.core.metrics")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("partners/", include("partners.dashboard.urls")),
    # The admin's own sign-in page, with the sign-in rate per client and its wait page.
    path("admin/login/", sign_in_page(admin.site.login, wait_template="admin/sign_in_wait.html")),
    path("admin/", admin.site.urls),
    *media_urlpatterns(),
]

handler400 = "shop.core.errors.handler400"
handler403 = "shop.core.errors.handler403"
handler404 = "shop.core.errors.handler404"
handler500 = "shop.core.errors.handler500"
