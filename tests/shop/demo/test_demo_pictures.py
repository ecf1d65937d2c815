"""The demo's product pictures: drawn when the demo is loaded, once."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from catalog.models import Product, ProductImage
from shop.demo.data.loaders import PRODUCTS
from shop.demo.data.pictures import demo_picture_draw, initials

pytestmark = pytest.mark.django_db


def _load(tmp_path) -> str:
    out = StringIO()
    call_command("load_demo", keys_file=str(tmp_path / "keys.json"), no_orders=True, stdout=out)
    return out.getvalue()


@pytest.fixture
def stored(settings) -> Path:
    """The run's MEDIA_ROOT, where earlier tests may already have drawn the pictures."""
    return Path(settings.MEDIA_ROOT)


def _files(media_root) -> dict[str, int]:
    """Every stored file with the time it was last written."""
    return {
        str(path.relative_to(media_root)): path.stat().st_mtime_ns
        for path in media_root.rglob("*")
        if path.is_file()
    }


def test_load_demo_draws_the_pictures_of_every_demo_product(tmp_path, media_root):
    output = _load(tmp_path)

    assert f"pictures drawn: {sum(item.image_count for item in PRODUCTS)}" in output
    for item in PRODUCTS:
        pictures = list(ProductImage.objects.filter(product__slug=item.slug).order_by("position"))
        assert [p.image.name for p in pictures] == [
            f"products/demo/{item.slug}-{n}.jpg" for n in range(1, item.image_count + 1)
        ]
        for picture in pictures:
            assert (picture.alt_zh, picture.alt_en) == (item.name_zh, item.name_en)
            with Image.open(media_root / picture.image.name) as original:
                assert original.size == (picture.width, picture.height)
                assert original.format == "JPEG"
            for size in (picture.thumbnail, picture.large):
                assert (media_root / size.name).is_file()
    squares = (
        ProductImage.objects.filter(position=0).values_list("width", "height").order_by().distinct()
    )
    landscapes = (
        ProductImage.objects.filter(position=1).values_list("width", "height").order_by().distinct()
    )
    assert (list(squares), list(landscapes)) == ([(1600, 1600)], [(1600, 1200)])


def test_load_demo_again_draws_and_writes_nothing(tmp_path, stored):
    _load(tmp_path)
    files = _files(stored)
    rows = list(ProductImage.objects.values_list("pk", "image", "width", "height"))

    output = _load(tmp_path)

    assert "pictures drawn" not in output
    assert _files(stored) == files
    assert list(ProductImage.objects.values_list("pk", "image", "width", "height")) == rows


def test_load_demo_draws_a_picture_whose_file_is_gone(tmp_path, stored):
    _load(tmp_path)
    picture = ProductImage.objects.get(product__slug="fu-folding-fan", position=1)
    (stored / picture.image.name).unlink()
    (stored / picture.large.name).unlink()

    output = _load(tmp_path)

    assert "pictures drawn: 1" in output
    assert (stored / picture.image.name).is_file()
    assert (stored / picture.large.name).is_file()


def test_load_demo_gives_files_to_pictures_kept_from_before_files(tmp_path):
    _load(tmp_path)
    ProductImage.objects.filter(product__slug="fu-folding-fan").update(
        image="", width=None, height=None, external_url="/static/demo/fu-folding-fan.jpg"
    )

    output = _load(tmp_path)

    assert "product images updated: 2" in output
    fan = Product.objects.get(slug="fu-folding-fan")
    assert list(fan.images.values_list("image", "external_url", "width", "height")) == [
        ("products/demo/fu-folding-fan-1.jpg", "", 1600, 1600),
        ("products/demo/fu-folding-fan-2.jpg", "", 1600, 1200),
    ]


def test_demo_pictures_are_the_same_every_time():
    item = PRODUCTS[0]

    assert demo_picture_draw(item, 0) == demo_picture_draw(item, 0)
    assert demo_picture_draw(item, 0) != demo_picture_draw(PRODUCTS[1], 0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fu Folding Fan", "FF"),
        ("The Palace Opera House: A Picture Book", "PO"),
        ("Grand Opera House Music Box, Limited Edition", "GO"),
        ("Study Seal with Your Engraved Name", "SS"),
        ("Silk", "S"),
    ],
)
def test_initials_on_the_seal(name, expected):
    assert initials(name) == expected
