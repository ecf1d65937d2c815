"""The addresses of stored pictures: kept per process for the local storage, following
MEDIA_URL, and asked every time of a storage that may sign them."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings

from catalog.images.sizes import stored_address


class SigningStorage(FileSystemStorage):
    """A storage whose addresses differ at each asking, as signed ones do."""

    asked = 0

    def url(self, name: str | None) -> str:
        SigningStorage.asked += 1
        return f"{super().url(name)}?signature={SigningStorage.asked}"


def test_the_local_storage_address_is_the_storage_own_and_follows_media_url():
    name = "sizes/products/silk-scarf/ä front.jpg"
    assert stored_address(default_storage, name) == default_storage.url(name)
    assert stored_address(default_storage, name) == default_storage.url(name)
    with override_settings(MEDIA_URL="https://cdn.example.com/m/"):
        moved = stored_address(default_storage, name)
        assert moved == default_storage.url(name)
        assert moved.startswith("https://cdn.example.com/m/sizes/products/silk-scarf/")
    assert stored_address(default_storage, name) == default_storage.url(name)


def test_a_storage_that_may_sign_its_addresses_is_asked_every_time():
    storage = SigningStorage(location="/nonexistent", base_url="/media/")
    first = stored_address(storage, "products/a.jpg")
    second = stored_address(storage, "products/a.jpg")
    assert first != second
    assert second.endswith(f"signature={SigningStorage.asked}")
