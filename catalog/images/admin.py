"""The product page's pictures in the admin: upload, preview, width x height, order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.images.models import ProductImage
from catalog.images.sizes import picture_size
from catalog.images.uploads import picture_upload_check

PREVIEW_WIDTH = 160


class ProductImageForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ["image", "alt_zh", "alt_en", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A row kept from before pictures were files may wait for its file; a new one may not.
        self.fields["image"].required = not self.instance.external_url

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if isinstance(upload, UploadedFile):
            return picture_upload_check(upload)
        return upload


class ProductImageInline(admin.TabularInline):
    """Pictures in the order shoppers see them; their sizes are made when they are saved
    (catalog/images/sizes.py). Who may edit comes from the catalog admin's mixin."""

    model = ProductImage
    form = ProductImageForm
    fields = ["preview", "image", "dimensions", "alt_zh", "alt_en", "position"]
    readonly_fields = ["preview", "dimensions"]
    ordering = ["position", "id"]
    extra = 0

    @admin.display(description=_("preview"))
    def preview(self, picture: ProductImage) -> str:
        if not picture.image:
            if picture.external_url:
                return format_html(str(_("No file yet; was at {}")), picture.external_url)
            return "-"
        thumbnail = picture_size(picture, "thumbnail")
        return format_html(
            '<a href="{}" target="_blank"><img src="{}" alt="" width="{}" height="{}" '
            'style="width: {}px; height: auto"></a>',
            picture.image.url,
            thumbnail.url,
            thumbnail.width,
            thumbnail.height,
            PREVIEW_WIDTH,
        )

    @admin.display(description=_("width × height"))
    def dimensions(self, picture: ProductImage) -> str:
        if not picture.image:
            return "-"
        return f"{picture.width} × {picture.height} px"
