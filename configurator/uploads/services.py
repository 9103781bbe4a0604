"""Store a shopper's photo and find it again; the checks and the re-encoding are in `images`."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app

from configurator.dbtypes import looks_like_token, public_token
from configurator.extensions import db
from configurator.storage import blob_store
from configurator.uploads.errors import UploadNotFound
from configurator.uploads.images import ImagePolicy, clean_image
from configurator.uploads.models import Upload

logger = logging.getLogger(__name__)


def image_policy() -> ImagePolicy:
    """The app's upload policy (formats and pixel cap from the configuration)."""
    config = current_app.config
    return ImagePolicy(
        formats=frozenset(config["ATELIER_UPLOAD_FORMATS"]),
        max_pixels=int(config["ATELIER_UPLOAD_MAX_PIXELS"]),
    )


def store(data: bytes) -> Upload:
    """Check and re-encode `data`, keep the clean bytes and record them; the file's name and declared
    type play no part. Raises the `configurator.uploads.errors` of `clean_image`."""
    clean = clean_image(data, image_policy())
    upload = Upload(
        id=public_token(),
        width=clean.width,
        height=clean.height,
        format=clean.format,
        byte_size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
    )
    # Bytes first: a row never points at a blob that is not there (a lost row only wastes a file).
    blob_store().put(upload.blob_key, clean.data)
    db.session.add(upload)
    db.session.commit()
    return upload


def find(upload_id: str) -> Upload:
    """The upload with this id, or `UploadNotFound` (malformed ids never reach the database)."""
    upload = db.session.get(Upload, upload_id) if looks_like_token(upload_id, 32) else None
    if upload is None:
        raise UploadNotFound(f"No upload {upload_id[:40]!r}.")
    return upload


def read(upload: Upload) -> bytes:
    """The stored bytes of an upload; `UploadNotFound` if the store lost them."""
    data = blob_store().get(upload.blob_key)
    if data is None:
        logger.error("upload %s has a row but no blob at %s", upload.id, upload.blob_key)
        raise UploadNotFound(f"No upload {upload.id!r}.")
    return data
