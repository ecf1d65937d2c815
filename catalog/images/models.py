"""Product pictures: files in the default storage, with their width, height and sizes."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField

from catalog.images.sizes import Large, Thumbnail
from catalog.images.uploads import PICTURE_EXTENSIONS, picture_upload_to


class ProductImage(models.Model):
    """A picture of a product: a file in the default storage, with the width and height
    read when it was stored and the sizes made from it (catalog/images/sizes.py).

    A row from before pictures were files keeps its old address in ``external_url``, so
    staff know which picture to upload; shoppers are shown only pictures with a file,
    whose address is sure to answer.
    """

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("product"),
    )
    image = models.ImageField(
        upload_to=picture_upload_to,
        width_field="width",
        height_field="height",
        max_length=255,
        blank=True,
        validators=[FileExtensionValidator(PICTURE_EXTENSIONS)],
        verbose_name=_("image"),
    )
    width = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("width")
    )
    height = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("height")
    )
    external_url = models.CharField(max_length=500, blank=True, verbose_name=_("external URL"))
    alt_zh = models.CharField(max_length=200, blank=True, verbose_name=_("alt (Chinese)"))
    alt_en = models.CharField(max_length=200, blank=True, verbose_name=_("alt (English)"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    thumbnail = ImageSpecField(source="image", spec=Thumbnail)
    large = ImageSpecField(source="image", spec=Large)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        app_label = "catalog"
        ordering = ["product_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(image="") | ~Q(external_url=""), name="product_image_has_picture"
            ),
            models.CheckConstraint(
                # isnull too: a comparison with NULL would let the check pass.
                condition=Q(image="")
                | Q(width__isnull=False, height__isnull=False, width__gt=0, height__gt=0),
                name="product_image_file_has_size",
            ),
        ]

    def __str__(self) -> str:
        return self.image.name or self.external_url
