"""Shoppers' photo uploads: send an image, get an id; fetch the clean image by that id."""

from __future__ import annotations

from typing import IO, Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from marshmallow import Schema, fields
from werkzeug.exceptions import RequestEntityTooLarge

from configurator.errors import FieldError, ValidationFailed
from configurator.openapi import AtelierBlueprint
from configurator.previews.responses import image_response
from configurator.ratelimit import limit
from configurator.uploads import services
from configurator.uploads.errors import UploadTooLarge
from configurator.uploads.models import Upload

# Requests per client per minute (ATELIER_RATELIMITS=uploads=N overrides it).
UPLOADS_PER_MINUTE = 20
# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
CHUNK_BYTES = 64 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")

blp = AtelierBlueprint(
    "uploads", __name__, url_prefix="/api/v1/uploads", description="Shoppers' photos: upload and fetch"
)

BINARY = {"type": "string", "format": "binary"}
UPLOAD_BODY = {
    "required": True,
    "description": "The image, as the `file` field of a form or as the whole body. Its bytes decide "
    "what it is (PNG, JPEG or WebP); its name and Content-Type are ignored.",
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": BINARY}},
        },
        **{media: {"schema": BINARY} for media in (*IMAGE_TYPES, "application/octet-stream")},
    },
}
IMAGE_BODY = {
    "description": "The stored image (re-encoded, without metadata); immutable",
    "content": {media: {"schema": BINARY} for media in ("image/png", "image/jpeg")},
    "headers": {
        "ETag": {"description": "Strong entity tag", "schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string"}},
    },
}


class UploadLinksSchema(Schema):
    self = fields.String(required=True, metadata={"description": "Where the stored image is served"})


class UploadSchema(Schema):
    id = fields.String(required=True, metadata={"description": "Unguessable: whoever has it sees the image"})
    width = fields.Integer(required=True, metadata={"description": "Pixels, after applying EXIF orientation"})
    height = fields.Integer(required=True)
    format = fields.String(required=True, metadata={"enum": ["png", "jpeg"], "description": "As stored"})
    bytes = fields.Integer(required=True, metadata={"description": "Size of the stored image"})
    links = fields.Nested(UploadLinksSchema, required=True)


def upload_data(upload: Upload) -> dict[str, Any]:
    """An upload as the API shows it."""
    return {
        "id": upload.id,
        "width": upload.width,
        "height": upload.height,
        "format": upload.format,
        "bytes": upload.byte_size,
        "links": {"self": url_for("uploads.StoredUpload", upload_id=upload.id)},
    }


def read_body(max_bytes: int) -> bytes:
    """The uploaded file's bytes: the `file` part of a multipart form, or else the whole body. Reading
    stops past `max_bytes` (413), so an endless body costs at most that much memory."""
    try:
        # Werkzeug refuses a longer body before reading it (by Content-Length) or while reading it.
        request.max_content_length = max_bytes + MULTIPART_OVERHEAD
        if request.mimetype == "multipart/form-data":
            file = request.files.get("file")
            if file is None:
                raise ValidationFailed(
                    "Attach the image as the form field `file`.",
                    errors=[FieldError("file", "Missing data for required field.")],
                )
            return _read_capped(file.stream, max_bytes)
        return _read_capped(request.stream, max_bytes)
    except RequestEntityTooLarge:
        raise _too_large(max_bytes) from None


def _read_capped(stream: IO[bytes], max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> UploadTooLarge:
    return UploadTooLarge(f"Images may be at most {max_bytes / 1024 / 1024:g} MB.")


@blp.route("")
class Uploads(MethodView):
    @blp.doc(requestBody=UPLOAD_BODY)
    @blp.response(201, UploadSchema)
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="More bytes than allowed")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not a PNG, JPEG or WebP")
    @blp.alt_response(
        422, response="UNPROCESSABLE_ENTITY", description="Empty, damaged, animated or too many pixels"
    )
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("uploads", per_minute=UPLOADS_PER_MINUTE)
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Upload a photo.

        It is checked by its bytes, re-encoded without metadata (EXIF, GPS, XMP) after applying its
        orientation, and kept under an unguessable id."""
        data = read_body(int(current_app.config["ATELIER_UPLOAD_MAX_BYTES"]))
        upload = services.store(data)
        body = upload_data(upload)
        return body, 201, {"Location": body["links"]["self"]}


@blp.route("/<upload_id>")
class StoredUpload(MethodView):
    @blp.doc(responses={"200": IMAGE_BODY})
    @blp.alt_response(304, response="NOT_MODIFIED", description="If-None-Match matched")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, upload_id: str) -> Response:
        """The stored image, with a strong ETag and a year of caching (its bytes never change)."""
        upload = services.find(upload_id)
        return image_response(services.read(upload), upload.mimetype, upload.sha256, vary=None)
