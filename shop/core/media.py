"""Uploaded files (product pictures and their sizes) answered by the web process itself.

On the embedded default (runserver) and on a stack with no front proxy, nothing else
answers MEDIA_URL, so ``SHOP_SERVE_MEDIA`` lets Django's static serve view do it from
MEDIA_ROOT. Where a proxy serves MEDIA_ROOT, or the files live in a bucket
(``MEDIA_STORAGE=s3``), it stays off and the route answers 404.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, re_path
from django.views.static import serve

# Stored names are not reused for other content (uploads get a free name, sizes a name
# made from their original's), so a browser may keep a file for a day.
CACHE_CONTROL = "public, max-age=86400"


def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    if not settings.SHOP_SERVE_MEDIA:
        raise Http404("Media files are not served here.")
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = CACHE_CONTROL
    return response


def media_urlpatterns() -> list[URLPattern]:
    """The route of MEDIA_URL when it is a path of this site (none for a bucket's or a
    CDN's address)."""
    prefix = settings.MEDIA_URL.lstrip("/")
    if not prefix or "://" in settings.MEDIA_URL:
        return []
    return [re_path(rf"^{re.escape(prefix)}(?P<path>.+)$", media_serve, name="media")]
