"""Staff inventory API."""

urlpatterns: list = []
