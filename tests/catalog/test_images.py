"""Product pictures: files with their width and height, the sizes made from them, what
an upload must be, and what the API gives."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models.signals import post_init
from PIL import Image

from catalog.images import uploads
from catalog.images.sizes import fitted_size, picture_sizes_make
from catalog.images.uploads import picture_upload_check
from catalog.models import ProductImage, Stock
from catalog.serializers import ImageSerializer, picture_data
from tests.factories import ProductFactory, ProductImageFactory


def picture_bytes(width: int, height: int, image_format: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, (width, height), "#1f3b5b").save(buffer, format=image_format, **options)
    return buffer.getvalue()


def stored_size(name: str) -> tuple[int, int]:
    with default_storage.open(name) as file, Image.open(file) as picture:
        return picture.size


@pytest.mark.parametrize(
    ("width", "height", "box", "expected"),
    [
        (1600, 1000, 320, (320, 200)),
        (1000, 1600, 320, (200, 320)),
        (1600, 1600, 1200, (1200, 1200)),
        (900, 1200, 1200, (900, 1200)),  # fits already: never enlarged
        (300, 200, 320, (300, 200)),
        (1001, 333, 320, (320, 106)),  # 106.45 rounds down
        (5000, 10, 320, (320, 1)),  # a sliver keeps one pixel
    ],
)
def test_fitted_size(width, height, box, expected):
    assert fitted_size(width, height, box) == expected


@pytest.mark.django_db
def test_a_stored_picture_keeps_its_width_and_height_and_gets_its_sizes(media_root):
    product = ProductFactory(slug="silk-scarf")

    picture = ProductImage.objects.create(
        product=product, image=ContentFile(picture_bytes(1600, 1000), name="Scarf Front.JPG")
    )

    picture.refresh_from_db()
    assert picture.image.name == "products/silk-scarf/scarf-front.jpg"
    assert (picture.width, picture.height) == (1600, 1000)
    assert (media_root / "products/silk-scarf/scarf-front.jpg").is_file()
    assert picture.thumbnail.url.startswith("/media/sizes/products/silk-scarf/scarf-front/")
    assert picture.large.url.startswith("/media/sizes/products/silk-scarf/scarf-front/")
    assert stored_size(picture.thumbnail.name) == (320, 200)
    assert stored_size(picture.large.name) == (1200, 750)


@pytest.mark.django_db
def test_a_transparent_png_gets_jpeg_sizes_on_white(media_root):
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(buffer, format="PNG")

    picture = ProductImageFactory(image=ContentFile(buffer.getvalue(), name="cut-out.png"))

    with default_storage.open(picture.thumbnail.name) as file, Image.open(file) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 320))
        assert thumbnail.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.django_db
def test_missing_sizes_are_made_again_and_present_ones_left_alone(media_root):
    picture = ProductImageFactory(image__width=800, image__height=600)
    thumbnail = media_root / picture.thumbnail.name
    large = media_root / picture.large.name
    large_written = large.stat().st_mtime_ns
    thumbnail.unlink()

    picture_sizes_make(ProductImage.objects.get(pk=picture.pk))

    assert stored_size(picture.thumbnail.name) == (320, 240)
    assert large.stat().st_mtime_ns == large_written


@pytest.mark.django_db
def test_image_serializer_gives_the_original_and_its_sizes(media_root):
    picture = ProductImageFactory(
        product=ProductFactory(slug="fan"),
        image__width=1000,
        image__height=1600,
        image__filename="fan.jpg",
        alt_zh="折扇",
        alt_en="Folding fan",
    )

    data = ImageSerializer(picture, context={"lang": "en"}).data

    assert data == {
        "url": "/media/products/fan/fan.jpg",
        "width": 1000,
        "height": 1600,
        "alt": "Folding fan",
        "thumbnail": {"url": picture.thumbnail.url, "width": 200, "height": 320},
        "large": {"url": picture.large.url, "width": 750, "height": 1200},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_lists_picture_is_what_the_image_serializer_gives(media_root, lang):
    picture = ProductImageFactory(
        product=ProductFactory(slug="scarf"),
        image__width=900,
        image__height=300,
        image__filename="scarf.jpg",
        alt_zh="丝巾",
        alt_en="Silk scarf",
    )

    first = picture_data(picture, lang)
    again = picture_data(ProductImage.objects.get(pk=picture.pk), lang)

    assert first == again == ImageSerializer(picture, context={"lang": lang}).data
    assert first["thumbnail"]["url"] == picture.thumbnail.url


@pytest.mark.django_db
def test_every_row_has_a_file_or_an_old_address(media_root):
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductImage.objects.create(product=product)

    assert ProductImage.objects.count() == 0


@pytest.mark.django_db
def test_a_file_always_has_its_width_and_height(media_root):
    picture = ProductImageFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductImage.objects.filter(pk=picture.pk).update(width=None)

    assert ProductImage.objects.values_list("width", "height").get() == (640, 480)


def test_only_product_pictures_are_watched_for_a_new_source_picture():
    assert post_init.has_listeners(ProductImage)
    assert not post_init.has_listeners(Stock)


def test_upload_check_passes_a_jpeg_as_it_is():
    upload = SimpleUploadedFile("front.jpg", picture_bytes(200, 100), "image/jpeg")

    checked = picture_upload_check(upload)

    assert checked is upload
    assert checked.name == "front.jpg"


def test_upload_check_names_a_file_by_what_it_is():
    upload = SimpleUploadedFile("front.jpg", picture_bytes(200, 100, "PNG"), "image/jpeg")

    assert picture_upload_check(upload).name == "front.png"


def test_upload_check_turns_a_photograph_upright():
    exif = Image.Exif()
    exif[uploads.EXIF_ORIENTATION] = 6  # the camera was held on its side
    upload = SimpleUploadedFile("side.jpg", picture_bytes(300, 200, exif=exif), "image/jpeg")

    checked = picture_upload_check(upload)

    with Image.open(checked) as picture:
        assert picture.size == (200, 300)
        assert picture.getexif().get(uploads.EXIF_ORIENTATION) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (picture_bytes(20, 20, "GIF"), "Upload a JPEG, PNG or WebP picture."),
        (b"not a picture at all", "Upload a valid picture."),
    ],
)
def test_upload_check_refuses_what_is_not_a_web_picture(content, message):
    upload = SimpleUploadedFile("picture.jpg", content, "image/jpeg")

    with pytest.raises(ValidationError) as refused:
        picture_upload_check(upload)

    assert refused.value.messages == [message]


def test_upload_check_refuses_a_picture_too_large(monkeypatch):
    monkeypatch.setattr(uploads, "PICTURE_MAX_PIXELS", 100 * 100)
    upload = SimpleUploadedFile("big.jpg", picture_bytes(101, 100), "image/jpeg")

    with pytest.raises(ValidationError) as refused:
        picture_upload_check(upload)

    assert refused.value.messages == ["Upload a picture of at most 50 megapixels."]
