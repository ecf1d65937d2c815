"""The partner API under /api/v1/partners/."""

app_name = "partners"

urlpatterns: list = []
