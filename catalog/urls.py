"""Public catalog API."""

urlpatterns: list = []
