"""Previews of designs: the URL the configure answer carries, and the image behind it.

A preview URL names everything its image depends on: the product version, the view, the size and the
whole design (canonical JSON, base64url), so the image is a pure function of the URL (plus the format
the client accepts). That makes it cacheable forever, by the browser, a CDN and our own blob cache,
under a key that is known before anything is drawn: a matching If-None-Match costs no render.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for

from configurator.bodies import loads as bounded_json
from configurator.carts.errors import DesignInvalid
from configurator.catalog import versions
from configurator.catalog.errors import InvalidPicks, ProductNotFound
from configurator.catalog.models import ProductVersion
from configurator.designs.services import check_with, to_json
from configurator.errors import ErrorCode, FieldError
from configurator.extensions import db
from configurator.previews.cache import Budget, PreviewCache
from configurator.previews.errors import PreviewUnavailable
from configurator.storage import blob_store
from configurator.uploads.services import upload_bytes
from rules import Product, preview
from rules.model import Value

logger = logging.getLogger(__name__)

DEFAULT_SIZE = 512
# Far above any real design (the longest text pick, 1,000 characters, takes at most 5,336), and short
# enough that the longest preview URL fits gunicorn's request line (8,190 bytes, gunicorn.conf.py) with
# room for a view key of 400 characters: a link the app gives is never refused by its own server.
MAX_ENCODED_DESIGN = 7680
EXTENSION = "atelier.previews"
DAY_SECONDS = 86400.0

_create_lock = threading.Lock()


@dataclass(frozen=True)
class PreviewRequest:
    version: ProductVersion
    served: versions.Served
    view: str
    size: preview.Size
    design: dict[str, Value]
    canonical: dict[str, Any]

    def key(self, fmt: str) -> str:
        return preview.render_key(self.version.content_hash, self.canonical, self.view, self.size, fmt)


def encode_design(design: Mapping[str, Value]) -> str:
    """A design as the URL carries it: canonical JSON, base64url without padding.

    >>> encode_design({"b": True, "a": frozenset({"y", "x"})})
    'eyJhIjpbIngiLCJ5Il0sImIiOnRydWV9'
    """
    text = json.dumps(to_json(design), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_design(encoded: str) -> dict[str, Any]:
    """The JSON object a preview URL carries, or `InvalidPicks` saying what is wrong with it."""
    if len(encoded) > MAX_ENCODED_DESIGN:
        raise _bad_design("The design is longer than any preview takes.")
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        data = bounded_json(raw)  # within the limits of every JSON body: no 2,000-deep nesting
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_design("`design` is not base64url-encoded JSON.") from None
    if not isinstance(data, dict):
        raise _bad_design("`design` must encode a JSON object of attribute -> value.")
    return data


def _bad_design(detail: str) -> InvalidPicks:
    return InvalidPicks(detail, errors=[FieldError("design", detail, location="query")])


def links(
    version_id: int, product: Product, design: Mapping[str, Value], locale: str
) -> dict[str, Any] | None:
    """The preview of a design for an API answer (None when the product declares no views): the first
    view's URL at the default size with its pixel size, and every view's URL."""
    views = product.model.views
    if not views:
        return None
    encoded = encode_design(design)

    urls = {
        view.key: url_for(
            "previews.Preview", version_id=version_id, view=view.key, design=encoded, size=DEFAULT_SIZE
        )
        for view in views
    }
    first = views[0]
    width, height = scaled(first.size, DEFAULT_SIZE)
    return {
        "url": urls[first.key],
        "width": width,
        "height": height,
        "views": [{"key": v.key, "label": v.label.get(locale), "url": urls[v.key]} for v in views],
    }


def scaled(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """A view's size with its longest side brought to `longest`.

    >>> scaled((800, 600), 512)
    (512, 384)
    """
    width, height = size
    factor = longest / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))


def prepare(version_id: int, view: str, size: preview.Size, encoded: str) -> PreviewRequest:
    """Everything a preview needs, checked: the version, the view and a valid design.

    Unknown versions and views are 404; a design the product rejects is 422 with its violations, never
    an image of something that cannot be made.
    """
    version = _version(version_id)
    served = versions.served(version)
    product = served.product
    if product.model.view(view) is None:
        known = ", ".join(v.key for v in product.model.views) or "none"
        raise ProductNotFound(f"{product.model.key} has no view {view!r} (views: {known}).")
    checked = check_with(product, decode_design(encoded), version)
    if not checked.valid:
        errors = [
            FieldError(
                ".".join(["design", *v.attributes[:1]]),
                v.message.get(),
                location="query",
                code=v.rule.id if v.rule else v.kind,
            )
            for v in checked.violations
        ]
        raise DesignInvalid("This design breaks the product's rules: it has no preview.", errors=errors)
    return PreviewRequest(version, served, view, size, checked.design, to_json(checked.design))


def _version(version_id: int) -> ProductVersion:
    """The stored product version with this id, or ProductNotFound."""
    # Ids past 32 bits name nothing (and overflow some databases' integers).
    version = db.session.get(ProductVersion, version_id) if 0 < version_id < 2**31 else None
    if version is None:
        raise ProductNotFound("No product version has this id.")
    return version


def budget(config: Mapping[str, Any]) -> Budget:
    """The preview store's budget from ATELIER_PREVIEW_STORE_MB and ATELIER_PREVIEW_STORE_DAYS.

    >>> budget({"ATELIER_PREVIEW_STORE_MB": 2, "ATELIER_PREVIEW_STORE_DAYS": 0})
    Budget(max_bytes=2097152, max_age=None)
    """
    days = float(config["ATELIER_PREVIEW_STORE_DAYS"])
    return Budget(
        max_bytes=int(float(config["ATELIER_PREVIEW_STORE_MB"]) * 1024 * 1024),
        max_age=days * DAY_SECONDS if days > 0 else None,
    )


def cache(app: Flask | None = None) -> PreviewCache:
    """The app's preview cache, one per process: its key locks and its count of bytes written toward
    the next sweep must be shared by every request."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(EXTENSION)
    if found is None:
        with _create_lock:
            found = app.extensions.get(EXTENSION)
            if found is None:
                found = app.extensions[EXTENSION] = PreviewCache(blob_store(app), budget=budget(app.config))
    return found


def render(request: PreviewRequest, fmt: str) -> bytes:
    """The image bytes (drawn now: callers look in the cache first); `PreviewUnavailable` when a file
    the view draws is unusable (a version published before publishing checked its files)."""
    try:
        return preview.render(
            request.served.product,
            request.design,
            request.view,
            request.size,
            fmt,
            assets=request.served.assets,
            uploads=upload_bytes,
        )
    except preview.AssetError as error:
        logger.warning(
            "preview of version %s view %r cannot be drawn: %s", request.version.id, request.view, error
        )
        raise PreviewUnavailable(
            "This picture of the product cannot be drawn at the moment.",
            errors=[
                FieldError(
                    "view",
                    f"Version {request.version.id}, view {request.view!r}: {error.path} {error.reason}. "
                    "Publish the product again with a usable file (`atelier rules check` names it).",
                    location="path",
                    code=ErrorCode.PREVIEW_UNAVAILABLE,
                )
            ],
        ) from error


# Option pictures are swatches: small squares, in the sizes a page asks for (twice for sharp screens).
OPTION_PICTURE_SIZES = (48, 96, 192, 384)


def option_picture(version_id: int, attribute: str, option: str, size: int, fmt: str) -> tuple[bytes, str]:
    """An option's picture as a square swatch of `size` pixels in `fmt`, and its ETag; 404 when the
    version, the option or its picture is not there. Pictures are checked when published, so one
    that does not open now is a 409 of its own (`PreviewUnavailable`)."""
    served = versions.served(_version(version_id))
    found = served.product.model.attribute(attribute)
    chosen = found.option(option) if found is not None else None
    if chosen is None or chosen.image is None:
        raise ProductNotFound(f"{served.product.model.key} has no picture for {attribute}={option}.")
    data = served.assets.files.get(chosen.image)
    if data is None:
        raise ProductNotFound(f"version {version_id} holds no file {chosen.image!r}.")
    etag = hashlib.sha256(b"%d|%s|%s|" % (size, fmt.encode(), chosen.image.encode()) + data).hexdigest()[:32]
    try:
        picture = preview.swatch(data, chosen.image, size, fmt)
    except preview.AssetError as error:
        raise PreviewUnavailable(
            f"The picture of {attribute}={option} cannot be shown: {error.reason}."
        ) from error
    return picture, etag
