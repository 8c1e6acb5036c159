"""Static assets (stylesheet, script), served from the package with long-lived caching."""

import functools
import mimetypes
import os

from chalice.app import Response

from chalicelib import errors
from chalicelib.i18n import N_
from chalicelib.web import STATIC_DIR

CACHE_CONTROL = "public, max-age=86400"  # pages link assets with ?v=<version>


@functools.cache
def _assets() -> dict[str, tuple[bytes, str]]:
    assets = {}
    for name in os.listdir(STATIC_DIR):
        with open(os.path.join(STATIC_DIR, name), "rb") as file:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith("javascript"):
                content_type += "; charset=utf-8"
            assets[name] = (file.read(), content_type)
    return assets


def static_asset(name: str) -> Response:
    asset = _assets().get(name)  # only files that are there: no path tricks possible
    if asset is None:
        raise errors.NotFound(N_("There is no such file."))
    body, content_type = asset
    return Response(body=body.decode("utf-8"), headers={"Content-Type": content_type, "Cache-Control": CACHE_CONTROL})
