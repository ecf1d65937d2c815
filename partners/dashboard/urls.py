"""The partner dashboard pages under /partners/."""

from django.contrib.auth.views import LogoutView
from django.urls import path, register_converter
from django.views.generic import RedirectView

from partners.dashboard import views
from partners.urls import StatementFormat
from shop.accounts.sign_in_pages import sign_in_page

register_converter(StatementFormat, "dashboard_statement_format")

app_name = "partners_dashboard"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="partners_dashboard:dashboard"), name="home"),
    path(
        "login/",
        sign_in_page(views.PartnerLoginView.as_view(), wait_template="partners/sign_in_wait.html"),
        name="login",
    ),
    path(
        "logout/",
        LogoutView.as_view(next_page="partners_dashboard:login"),
        name="logout",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.table_export, name="export"),
    path("settlements/<int:settlement_id>/", views.settlement_orders, name="settlement"),
    path("orders/<str:order_number>/", views.order_entries, name="order"),
    path(
        "settlements/<int:settlement_id>/statement.<dashboard_statement_format:fmt>",
        views.statement_download,
        name="statement",
    ),
]
