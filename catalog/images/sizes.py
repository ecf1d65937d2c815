"""The sizes a product picture is given besides its original: a thumbnail for lists and a
large one for the product page, made by django-imagekit and kept in the default storage.

Sizes are made when the original is saved (the admin's upload, the demo data), never
while a shopper's request reads their addresses: the product list gives the addresses of
twenty products' sizes, and a size made on its first request would make that request
open and resize pictures, or give addresses of files that do not exist yet. Reading an
address asks nothing of the storage, and the width and height of a size are worked out
from the original's stored width and height by the same function the resize uses, so
the API never opens a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.db.models.signals import post_init, post_save
from imagekit import ImageSpec
from imagekit.specs.sourcegroups import signal_router
from PIL import Image

THUMBNAIL_BOX = 320
LARGE_BOX = 1200
# Every size by the name the API gives it, with the square it fits in.
SIZE_BOXES = {"thumbnail": THUMBNAIL_BOX, "large": LARGE_BOX}


def fitted_size(width: int, height: int, box: int) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` picture scaled to fit a ``box`` x ``box`` square,
    keeping its proportions; a picture that already fits keeps its size (no upscaling)."""
    longest = max(width, height)
    if longest <= box:
        return width, height
    scale = box / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


class FitWithin:
    """Scale down to :func:`fitted_size`. pilkit's ``ResizeToFit(upscale=False)`` leaves a
    picture alone when one side would round to its old length, which the API could not
    predict from the stored size; this one always gives what :func:`fitted_size` says."""

    def __init__(self, box: int) -> None:
        self.box = box

    def process(self, image: Image.Image) -> Image.Image:
        size = fitted_size(image.width, image.height, self.box)
        if size == image.size:
            return image
        # reducing_gap: first a fast reduction by a whole factor, then Lanczos; several
        # times faster on a large picture and, at 3, not told apart from Lanczos alone.
        return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


class MadeOnSave:
    """Cache file strategy of the sizes: made as soon as the original is saved, and their
    addresses given without asking the storage whether they exist."""

    def on_source_saved(self, file: Any) -> None:
        file.generate()


class ExistsInStorage:
    """Cache file backend of the sizes: whether a size exists is asked of the storage, not
    of imagekit's cache of file states, which could remember a file since deleted, or a
    generation whose process died, for ever. Sizes are only looked for when a picture is
    saved, where one more question to the storage costs nothing."""

    def exists(self, file: Any) -> bool:
        return bool(file.name) and file.storage.exists(file.name)

    def generate(self, file: Any, force: bool = False) -> None:
        if self.exists(file):
            if not force:
                return
            # Saving over it would store the new file under another name.
            file.storage.delete(file.name)
        file._generate()
        file.close()


class _Size(ImageSpec):
    format = "JPEG"
    options = {"quality": 85, "optimize": True, "progressive": True}
    cachefile_strategy = MadeOnSave
    cachefile_backend = ExistsInStorage()


class Thumbnail(_Size):
    processors = [FitWithin(THUMBNAIL_BOX)]


class Large(_Size):
    processors = [FitWithin(LARGE_BOX)]


@dataclass(frozen=True)
class SizedPicture:
    """One size of a picture as the API gives it."""

    url: str
    width: int
    height: int


# The stored name and storage of each size, by its original's name and the size's name.
# imagekit names a size after its original's name and a hash of the spec (processors,
# format, options), which it works out by pickling the spec each time an address is asked:
# about a third of the product list's time. The name never changes for a given original
# (a new upload gets a new name), so it is worked out once per process; the address is
# asked of the storage on every call unless that is the local one (stored_address: an S3
# storage may sign it). Bounded: a full table is emptied and filled again.
_SIZE_FILES: dict[tuple[str, str], tuple[str, Any]] = {}
_SIZE_FILES_MOST = 50_000


def _size_file(picture: Any, name: str) -> tuple[str, Any]:
    return _size_file_named(picture.image.name, name, lambda: picture)


def _size_file_named(image_name: str, name: str, picture: Callable[[], Any]) -> tuple[str, Any]:
    key = (image_name, name)
    known = _SIZE_FILES.get(key)
    if known is None:
        size_file = getattr(picture(), name)
        known = (size_file.name, size_file.storage)
        if len(_SIZE_FILES) >= _SIZE_FILES_MOST:
            _SIZE_FILES.clear()
        _SIZE_FILES[key] = known
    return known


def picture_size(picture: Any, name: str) -> SizedPicture:
    """Address, width and height of one size (a name in :data:`SIZE_BOXES`) of a stored
    picture (a :class:`~catalog.models.ProductImage` with a file), opening no file."""
    width, height = fitted_size(picture.width, picture.height, SIZE_BOXES[name])
    file_name, storage = _size_file(picture, name)
    return SizedPicture(stored_address(storage, file_name), width, height)


# The addresses of files whose storage makes them from its base address and the name
# alone (Django's FileSystemStorage, the local media), by that base and the name: quoting
# and joining them took 15 us each, three per card of the product list. A storage that
# may sign or vary them (S3) is asked every time. Bounded as the tables above.
_ADDRESSES: dict[tuple[str, str], str] = {}


def stored_address(storage: Any, name: str) -> str:
    """``storage.url(name)``, kept per process where the storage is the local one (the
    address then changes only with MEDIA_URL, which is part of the key)."""
    # __class__, not type(): the default storage is a lazy object standing for its own.
    if storage.__class__.url is not FileSystemStorage.url:
        return storage.url(name)
    key = (storage.base_url, name)
    address = _ADDRESSES.get(key)
    if address is None:
        address = storage.url(name)
        if len(_ADDRESSES) >= _SIZE_FILES_MOST:
            _ADDRESSES.clear()
        _ADDRESSES[key] = address
    return address


@dataclass(frozen=True)
class _StoredSize:
    """One size of a stored picture as this process knows it: everything but its address."""

    name: str  # the size's name in SIZE_BOXES
    file_name: str
    storage: Any
    width: int
    height: int


# Every size of a picture by its stored name, width and height: its file's name and
# storage (see _SIZE_FILES) and its fitted width and height, worked out once per picture
# and process rather than size by size for every answer that gives it. Bounded the same.
_STORED_SIZES: dict[tuple[str, int, int], tuple[_StoredSize, ...]] = {}


def picture_sizes_stored(
    image_name: str, width: int, height: int, picture: Callable[[], Any]
) -> dict[str, SizedPicture]:
    """Every size of a picture read as its stored name, width and height (a list reads
    twenty as plain rows), by name, as :func:`picture_size` gives each; ``picture`` makes
    the picture object, asked only the first time this process meets the name. The
    addresses are asked of the storage on every call unless it is the local one
    (:func:`stored_address`: an S3 storage may sign them)."""
    key = (image_name, width, height)
    known = _STORED_SIZES.get(key)
    if known is None:
        known = tuple(
            _StoredSize(
                name,
                *_size_file_named(image_name, name, picture),
                *fitted_size(width, height, box),
            )
            for name, box in SIZE_BOXES.items()
        )
        if len(_STORED_SIZES) >= _SIZE_FILES_MOST:
            _STORED_SIZES.clear()
        _STORED_SIZES[key] = known
    return {
        size.name: SizedPicture(
            stored_address(size.storage, size.file_name), size.width, size.height
        )
        for size in known
    }


def picture_sizes_make(picture: Any) -> None:
    """Make the sizes of a stored picture that are missing from the storage."""
    for name in SIZE_BOXES:
        getattr(picture, name).generate()


def source_signals_narrow(model: type) -> None:
    """Let imagekit hear ``post_init`` and ``post_save`` of ``model`` alone.

    imagekit listens to both signals of every model, to notice a saved source picture;
    in this shop only product pictures have one, and the call costs every other model
    instance made or saved a few microseconds (thousands of them in a report).
    """
    uid = "ik_spec_field_receivers"  # imagekit's own, see imagekit/specs/sourcegroups.py
    for signal, receiver in (
        (post_init, signal_router.post_init_receiver),
        (post_save, signal_router.post_save_receiver),
    ):
        signal.disconnect(dispatch_uid=uid)
        signal.connect(receiver, sender=model, dispatch_uid=uid)
