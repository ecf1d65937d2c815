"""The statement PDF's font and page numbers.

Chinese text is drawn with a TrueType CJK font embedded in the file (reportlab embeds
the subset of glyphs used), so the PDF reads the same on any reader, including those
without Chinese fonts. The font is the file named by ``PARTNER_PDF_FONT`` in the
environment, or else the first of the usual Debian CJK TrueType fonts found
(``apt-get install fonts-wqy-microhei``). Without one the PDF falls back to the CID
font STSong-Light, which the reader must supply (not embedded), and says so in the log.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

EMBEDDED_FONT = "StatementCJK"
FALLBACK_FONT = "STSong-Light"
# TrueType outlines only: reportlab cannot embed the CFF outlines of the Noto CJK .ttc.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
)


def _font_file() -> Path | None:
    named = os.environ.get("PARTNER_PDF_FONT")
    for candidate in ([named] if named else []) + list(FONT_CANDIDATES):
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def pdf_font() -> str:
    """The registered name of the font to draw statements with (see the module doc)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    if EMBEDDED_FONT in registered:
        return EMBEDDED_FONT
    path = _font_file()
    if path is not None:
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, str(path), subfontIndex=0))
        return EMBEDDED_FONT
    if FALLBACK_FONT not in registered:
        logger.warning(
            "No CJK TrueType font found (set PARTNER_PDF_FONT or install fonts-wqy-microhei): "
            "statement PDFs use the reader's %s, not embedded.",
            FALLBACK_FONT,
        )
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def numbered_canvas(font: str) -> Any:
    """A canvas class writing "第 n / N 页 Page n of N" at the foot of every page: pages
    are held until the end, when their number is known."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab: starts a new page

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                right = self._pagesize[0] - 16 * mm  # type: ignore[attr-defined]
                english = f"Page {number} of {total}"
                # The English in a standard font, so its text stays searchable.
                self.setFont("Helvetica", 8)
                self.drawRightString(right, 9 * mm, english)
                self.setFont(font, 8)
                self.drawRightString(
                    right - self.stringWidth(english, "Helvetica", 8) - 6,
                    9 * mm,
                    f"第 {number} / {total} 页",
                )
                super().showPage()
            super().save()

    return NumberedCanvas
