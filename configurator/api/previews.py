"""Preview images: one view of a valid design, drawn on a miss and kept in the preview store (within its
budget: one that went is drawn again, to the same bytes)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from marshmallow import RAISE, Schema, fields, validate

from configurator.observability import PREVIEW_RENDER_SECONDS
from configurator.openapi import AtelierBlueprint
from configurator.previews import services
from configurator.previews.responses import etag_matches, image_response, negotiate_format
from configurator.ratelimit import check_rate
from rules.preview import PREVIEW_SIZES, PRODUCTION, Size

MIMETYPES = {"png": "image/png", "webp": "image/webp"}
# Drawing is the costly part; cache hits and 304s are not counted.
RENDERS_PER_MINUTE = 120

blp = AtelierBlueprint("previews", __name__, url_prefix="/api/v1/previews", description="Preview images")


class PreviewQuerySchema(Schema):
    """A preview URL is exactly what the configure answer gives: anything added to it (a key, a
    cache-buster) would name the same image under another URL, so it is refused."""

    error_messages = {"unknown": "Preview URLs take `design` and `size` only: use the URL as given."}

    design = fields.String(
        required=True,
        validate=validate.Length(min=1, max=services.MAX_ENCODED_DESIGN),
        metadata={
            "description": "The whole design: canonical JSON, base64url (as the configure answer gives it)"
        },
    )
    size = fields.String(
        load_default=str(services.DEFAULT_SIZE),
        validate=validate.OneOf([str(s) for s in PREVIEW_SIZES] + [PRODUCTION]),
        metadata={"description": "Longest side in pixels, or the view's own production size"},
    )


IMAGE_CONTENT = {
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/webp": {"schema": {"type": "string", "format": "binary"}},
}


@blp.route("/<int:version_id>/<view>")
class Preview(MethodView):
    @blp.arguments(PreviewQuerySchema, location="query", unknown=RAISE)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="A file the view draws is unusable")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @blp.doc(
        responses={
            "200": {"description": "The image (WebP when Accept lists image/webp)", "content": IMAGE_CONTENT},
            "304": {"description": "The client's copy (If-None-Match) is current"},
        }
    )
    def get(self, query: dict[str, Any], version_id: int, view: str) -> Response:
        """One view of a design as PNG or WebP; 422 when the design breaks the product's rules."""
        size: Size = "production" if query["size"] == PRODUCTION else int(query["size"])
        wanted = services.prepare(version_id, view, size, query["design"])
        fmt = negotiate_format(request.headers.get("Accept"))
        key = wanted.key(fmt)
        if etag_matches(request.headers.get("If-None-Match"), key):
            return image_response(b"", MIMETYPES[fmt], key)
        cache = services.cache()
        data = cache.get(key, fmt)
        if data is None:
            check_rate("previews", RENDERS_PER_MINUTE)

            def render() -> bytes:
                with PREVIEW_RENDER_SECONDS.labels(fmt).time():
                    return services.render(wanted, fmt)

            data = cache.get_or_render(key, fmt, render)
        return image_response(data, MIMETYPES[fmt], key)


class OptionPictureQuerySchema(Schema):
    size = fields.Integer(
        load_default=96,
        validate=validate.OneOf(services.OPTION_PICTURE_SIZES),
        metadata={"description": "Side of the square swatch in pixels"},
    )


@blp.route("/<int:version_id>/options/<attribute>/<option>")
class OptionPicture(MethodView):
    @blp.arguments(OptionPictureQuerySchema, location="query", unknown=RAISE)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="The picture does not open")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.doc(
        responses={
            "200": {
                "description": "The swatch (WebP when Accept lists image/webp)",
                "content": IMAGE_CONTENT,
            },
            "304": {"description": "The client's copy (If-None-Match) is current"},
        }
    )
    def get(self, query: dict[str, Any], version_id: int, attribute: str, option: str) -> Response:
        """An option's picture (a wood, a stone, a fabric) as a square swatch, as the product version says."""
        fmt = negotiate_format(request.headers.get("Accept"))
        data, etag = services.option_picture(version_id, attribute, option, query["size"], fmt)
        return image_response(data, MIMETYPES[fmt], etag)
