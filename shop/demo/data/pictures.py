"""Pictures of the demo products, drawn with Pillow when the demo is loaded.

Each product gets ``image_count`` pictures: a square one (its initials in a seal on its
collection's colours and pattern) and, for a second, a landscape detail (a medallion on a
larger pattern). Everything is drawn from the product's own texts, nothing is downloaded
and no Chinese font is needed. A picture whose file is already in the storage is not
drawn again, so loading the demo twice draws nothing the second time.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from catalog.images.sizes import picture_sizes_make
from catalog.models import Product, ProductImage
from shop.demo.data.records import DemoProduct

SQUARE = (1600, 1600)
LANDSCAPE = (1600, 1200)
JPEG_QUALITY = 88
SKIPPED_WORDS = {"a", "an", "and", "of", "the", "with", "your"}

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    ground: str  # the background
    motif: str  # the pattern drawn on it
    seal: str  # the seal or medallion
    ink: str  # letters on the seal
    caption: str  # the name under it


@dataclass(frozen=True)
class Style:
    palette: Palette
    motif: Callable[[ImageDraw.ImageDraw, int, int, int, RGB], None]


def _blossom(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, colour: RGB) -> None:
    """A crabapple blossom: five round petals about a heart."""
    petal = size // 5
    for dx, dy in ((0, -1), (0.95, -0.31), (0.59, 0.81), (-0.59, 0.81), (-0.95, -0.31)):
        cx, cy = x + dx * petal * 1.3, y + dy * petal * 1.3
        draw.ellipse((cx - petal, cy - petal, cx + petal, cy + petal), fill=colour)
    heart = petal // 2
    draw.ellipse((x - heart, y - heart, x + heart, y + heart), outline=colour, width=4)


def _arch(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, colour: RGB) -> None:
    """A gate's arch, as on the Xiyang gate and the opera house's stage."""
    half = size // 3
    draw.arc((x - half, y - half, x + half, y + half), 180, 360, fill=colour, width=8)
    draw.line((x - half, y, x - half, y + half), fill=colour, width=8)
    draw.line((x + half, y, x + half, y + half), fill=colour, width=8)


def _wave(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, colour: RGB) -> None:
    """Sea waves of court embroidery: three arcs, one inside the other."""
    for ring in range(3):
        radius = size // 2 - ring * size // 7
        draw.arc((x - radius, y - radius, x + radius, y + radius), 180, 360, fill=colour, width=7)


STYLES = {
    "blossoms-of-wisdom": Style(
        Palette("#f4dde0", "#e9bcc4", "#8c2f39", "#fbeff0", "#5a1f26"), _blossom
    ),
    "echoes-of-classics": Style(
        Palette("#f2e6cc", "#dcc594", "#a4302a", "#fbf3e2", "#5c3a1a"), _arch
    ),
    "fabrics-of-glory": Style(
        Palette("#1f3b5b", "#2d5580", "#c9a24a", "#1f3b5b", "#f1e4c2"), _wave
    ),
}
DEFAULT_STYLE = STYLES["blossoms-of-wisdom"]


def _rgb(colour: str) -> RGB:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _shifted(colour: str, hue: float, lightness: float = 0.0) -> RGB:
    """The colour turned by ``hue`` (a fraction of the wheel) and lightened by ``lightness``."""
    red, green, blue = (part / 255 for part in _rgb(colour))
    h, light, s = colorsys.rgb_to_hls(red, green, blue)
    red, green, blue = colorsys.hls_to_rgb((h + hue) % 1, min(1, max(0, light + lightness)), s)
    return round(red * 255), round(green * 255), round(blue * 255)


def initials(name: str) -> str:
    """Up to two capitals from the product's English name, for its seal."""
    words = [word for word in name.split(",")[0].split() if word.lower() not in SKIPPED_WORDS]
    letters = "".join(word[0] for word in words if word[0].isalnum())[:2]
    return letters.upper() or "?"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _text_centred(
    draw: ImageDraw.ImageDraw, centre: tuple[int, int], text: str, size: int, colour: RGB
) -> None:
    draw.text(centre, text, font=_font(size), fill=colour, anchor="mm")


def _caption(draw: ImageDraw.ImageDraw, canvas: tuple[int, int], text: str, colour: RGB) -> None:
    """The product's name across the bottom, smaller until it fits."""
    width, height = canvas
    size = 64
    while size > 24 and draw.textlength(text, font=_font(size)) > width * 0.85:
        size -= 4
    _text_centred(draw, (width // 2, height - 110), text, size, colour)


def _wrapped(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _pattern(
    draw: ImageDraw.ImageDraw,
    canvas: tuple[int, int],
    style: Style,
    cell: int,
    offset: int,
    colour: RGB,
) -> None:
    width, height = canvas
    for row, y in enumerate(range(-cell, height + cell, cell)):
        shift = (cell // 2 if row % 2 else 0) + offset
        for x in range(-cell + shift, width + cell, cell):
            style.motif(draw, x, y, int(cell * 0.8), colour)


def demo_picture_draw(item: DemoProduct, position: int) -> bytes:
    """The JPEG of one demo picture: ``position`` 0 is the square main picture, others a
    landscape detail. The same product and position always give the same picture."""
    style = STYLES.get(item.collection, DEFAULT_STYLE)
    palette = style.palette
    digest = hashlib.sha256(f"{item.slug}:{position}".encode()).digest()
    hue = (digest[0] / 255 - 0.5) * 0.06  # each product a little warmer or cooler
    offset = digest[1] % 120
    canvas = SQUARE if position == 0 else LANDSCAPE
    width, height = canvas
    picture = Image.new("RGB", canvas, _shifted(palette.ground, hue))
    draw = ImageDraw.Draw(picture)
    motif = _shifted(palette.motif, hue)
    seal = _shifted(palette.seal, hue)
    ink = _rgb(palette.ink)
    letters = initials(item.name_en)
    if position == 0:
        _pattern(draw, canvas, style, 200, offset, motif)
        half = 380
        box = (
            width // 2 - half,
            height // 2 - half - 60,
            width // 2 + half,
            height // 2 + half - 60,
        )
        draw.rounded_rectangle(box, radius=60, fill=seal)
        inner = (box[0] + 34, box[1] + 34, box[2] - 34, box[3] - 34)
        draw.rounded_rectangle(inner, radius=40, outline=ink, width=10)
        _text_centred(draw, (width // 2, height // 2 - 60), letters, 380, ink)
        _caption(draw, canvas, item.name_en, _rgb(palette.caption))
    else:
        _pattern(draw, canvas, style, 320, offset, _shifted(palette.motif, hue, 0.04))
        radius = 360
        centre = (width // 3, height // 2)
        draw.ellipse(
            (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
            fill=seal,
        )
        draw.ellipse(
            (
                centre[0] - radius + 30,
                centre[1] - radius + 30,
                centre[0] + radius - 30,
                centre[1] + radius - 30,
            ),
            outline=ink,
            width=8,
        )
        _text_centred(draw, centre, letters, 320, ink)
        lines = _wrapped(item.name_en.split(",")[0], 14)
        top = height // 2 - (len(lines) - 1) * 50
        for number, line in enumerate(lines):
            _text_centred(
                draw, (width * 3 // 4 - 20, top + number * 100), line, 80, _rgb(palette.caption)
            )
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def demo_picture_name(item: DemoProduct, position: int) -> str:
    return f"products/demo/{item.slug}-{position + 1}.jpg"


def demo_pictures_load(item: DemoProduct, product: Product) -> dict[str, int]:
    """The product's ``image_count`` pictures as files with their sizes, drawing only the
    files the storage does not have; pictures past ``image_count`` are removed. Returns
    how many rows were created, updated or left as they were, and files drawn."""
    outcome = {"created": 0, "updated": 0, "unchanged": 0, "drawn": 0}
    for position in range(item.image_count):
        name = demo_picture_name(item, position)
        if not default_storage.exists(name):
            saved = default_storage.save(name, ContentFile(demo_picture_draw(item, position)))
            if saved != name:
                raise RuntimeError(f"The storage kept the demo picture {name} as {saved}.")
            outcome["drawn"] += 1
        picture = ProductImage.objects.filter(product=product, position=position).first()
        created = picture is None
        if picture is None:
            picture = ProductImage(product=product, position=position)
        wanted = {"alt_zh": item.name_zh, "alt_en": item.name_en, "external_url": ""}
        changed = created or picture.image.name != name
        if picture.image.name != name:
            picture.image = name  # reads the file's width and height
        for field, value in wanted.items():
            if getattr(picture, field) != value:
                setattr(picture, field, value)
                changed = True
        if changed:
            picture.save()
        picture_sizes_make(picture)
        outcome["created" if created else "updated" if changed else "unchanged"] += 1
    ProductImage.objects.filter(product=product, position__gte=item.image_count).delete()
    return outcome
