"""The partner dashboard pages under /partners/."""

app_name = "partners_dashboard"

urlpatterns: list = []
