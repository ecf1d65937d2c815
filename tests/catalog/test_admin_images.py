"""Staff upload product pictures in the product's admin page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from catalog.models import Product, ProductImage
from tests import factories

pytestmark = pytest.mark.django_db


def png_upload(name: str, width: int, height: int, image_format: str = "PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#a4302a").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def product_form(*pictures: tuple[int, SimpleUploadedFile]) -> dict:
    """The product add form with one variant and a picture form per (position, upload)."""
    data = {
        "slug": "opera-fan",
        "name_zh": "戏楼团扇",
        "name_en": "Opera Fan",
        "is_active": "on",
        "personalisation_charset": "",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-0-sku": "FAN-1",
        "variants-0-price": "88.00",
        "variants-0-weight_grams": "80",
        "variants-0-position": "0",
        "variants-0-is_active": "on",
        "images-TOTAL_FORMS": str(len(pictures)),
        "images-INITIAL_FORMS": "0",
        "channel_listings-TOTAL_FORMS": "0",
        "channel_listings-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    for index, (position, upload) in enumerate(pictures):
        data[f"images-{index}-image"] = upload
        data[f"images-{index}-alt_zh"] = "戏楼团扇"
        data[f"images-{index}-alt_en"] = f"Opera fan, view {position}"
        data[f"images-{index}-position"] = str(position)
    return data


@pytest.fixture
def editor(museum):
    client = Client()
    client.force_login(factories.PartnerStaffFactory(partner=museum).user)
    return client


def stored_size(media_root, name: str) -> tuple[int, int]:
    with Image.open(media_root / name) as picture:
        return picture.size


def test_staff_upload_pictures_with_the_product_and_get_their_sizes(editor, media_root):
    data = product_form(
        (1, png_upload("Back View.png", 600, 900)), (0, png_upload("front.png", 1600, 1200))
    )

    response = editor.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 302
    product = Product.objects.get(slug="opera-fan")
    pictures = list(ProductImage.objects.filter(product=product).order_by("position"))
    assert [(p.position, p.image.name, p.width, p.height, p.alt_en) for p in pictures] == [
        (0, "products/opera-fan/front.png", 1600, 1200, "Opera fan, view 0"),
        (1, "products/opera-fan/back-view.png", 600, 900, "Opera fan, view 1"),
    ]
    front, back = pictures
    assert stored_size(media_root, front.image.name) == (1600, 1200)
    assert stored_size(media_root, front.thumbnail.name) == (320, 240)
    assert stored_size(media_root, front.large.name) == (1200, 900)
    assert stored_size(media_root, back.thumbnail.name) == (213, 320)
    assert stored_size(media_root, back.large.name) == (600, 900)


def test_the_product_page_previews_its_pictures_with_their_size(editor, media_root):
    picture = factories.ProductImageFactory(image__width=1600, image__height=1200)

    page = editor.get(reverse("admin:catalog_product_change", args=[picture.product_id]))

    assert page.status_code == 200
    html = page.content.decode()
    assert f'<img src="{picture.thumbnail.url}" alt="" width="320" height="240"' in html
    assert f'<a href="{picture.image.url}" target="_blank">' in html
    assert "1600 × 1200 px" in html


def test_a_picture_kept_from_before_files_shows_its_old_address(editor, media_root):
    picture = factories.ProductImageFactory(image="", external_url="/static/demo/old.jpg")

    page = editor.get(reverse("admin:catalog_product_change", args=[picture.product_id]))

    assert "尚无文件；原地址 /static/demo/old.jpg" in page.content.decode()


def test_an_upload_that_is_not_a_web_picture_is_refused_and_nothing_saved(editor, media_root):
    data = product_form((0, png_upload("anim.gif", 40, 40, image_format="GIF")))

    response = editor.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 200
    errors = [form.errors for form in response.context["inline_admin_formsets"][1].formset]
    assert errors == [{"image": ["Upload a JPEG, PNG or WebP picture."]}]
    assert not Product.objects.filter(slug="opera-fan").exists()
    assert ProductImage.objects.count() == 0
    assert not media_root.exists() or list(media_root.rglob("*.*")) == []
