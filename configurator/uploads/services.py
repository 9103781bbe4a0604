"""Store a shopper's photo and find it again; the checks and the re-encoding are in `images`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from configurator.dbtypes import looks_like_token, public_token
from configurator.errors import ErrorCode, FieldError
from configurator.extensions import db
from configurator.locale import MESSAGES
from configurator.storage import blob_store
from configurator.uploads.errors import PhotoRefused, UploadNotFound
from configurator.uploads.images import ImagePolicy, clean_image
from configurator.uploads.models import Upload
from configurator.uploads.quality import Fit, PrintZone, print_quality_warning
from configurator.wording import UPLOAD_UNKNOWN
from rules import Product
from rules.i18n import listed
from rules.model import AttributeKind, Localized, PhotoLayer, ProductModel, Value, image_pick
from rules.preview.assets import LRU

logger = logging.getLogger(__name__)

# Rows read at a time when a domain looks for the photos its stored choices name.
READ_CHUNK = 1000
# Bytes of recently drawn uploads, by id: an id's bytes never change, so entries never go stale.
RECENT_BYTES_BUDGET = 64 * 1024 * 1024
_recent = LRU(RECENT_BYTES_BUDGET, lambda data: len(data) if isinstance(data, bytes) else 64)
# What each stored format may stand for: WebP uploads are stored as PNG.
_STORED_AS = {"png": frozenset({"png", "webp"}), "jpeg": frozenset({"jpeg"})}


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


def find(upload_id: str, *, hold: bool = False) -> Upload:
    """The upload with this id, or `UploadNotFound` (malformed ids never reach the database). With
    `hold`, its row stays share-locked until the transaction ends: the removal of unused photos
    (`configurator.uploads.collect`) skips it, or, if it got there first, this waits and finds none."""
    upload = None
    if looks_like_token(upload_id, 32):
        if hold:
            query = select(Upload).where(Upload.id == upload_id).with_for_update(read=True)
            upload = db.session.scalar(query)
        else:
            upload = db.session.get(Upload, upload_id)
    if upload is None:
        raise UploadNotFound(UPLOAD_UNKNOWN, extensions={"technical_detail": f"No upload {upload_id[:40]}."})
    return upload


def read(upload: Upload) -> bytes:
    """The stored bytes of an upload; `UploadNotFound` if the store lost them."""
    data = blob_store().get(upload.blob_key)
    if data is None:
        logger.error("upload %s has a row but no blob at %s", upload.id, upload.blob_key)
        raise UploadNotFound(
            UPLOAD_UNKNOWN, extensions={"technical_detail": f"No blob for upload {upload.id}."}
        )
    return data


def upload_bytes(upload_id: str) -> bytes | None:
    """The stored bytes of an upload by id, or None when there is none: the resolver previews draw
    photo zones with (see `rules.preview.render`)."""
    found = _recent.get(upload_id)
    if isinstance(found, bytes):
        return found
    try:
        data = read(find(upload_id))
    except UploadNotFound:
        return None
    _recent.put(upload_id, data)
    return data


def forget(upload_id: str) -> None:
    """Drop an upload's bytes from this process's memory (it is being removed)."""
    _recent.discard(upload_id)


@dataclass(frozen=True)
class UploadCheck:
    """What the picks' images say: ids that name no upload (bad requests), and print warnings."""

    errors: list[FieldError] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def check_uploads(
    product: Product, picks: Mapping[str, Value], locale: str = "en", *, hold: bool = False
) -> UploadCheck:
    """Look up the upload of every image pick: an unknown id or a format the attribute does not take is
    an error on `picks.<attribute>`; a photo with too few pixels for the printed zone gets a warning.
    `hold` locks each found upload against removal until the transaction ends (see `find`)."""
    model = product.model
    check = UploadCheck()
    for attribute in model.attributes:
        pick = image_pick(picks.get(attribute.key))
        if attribute.kind is not AttributeKind.IMAGE or attribute.image is None or pick is None:
            continue
        where = f"picks.{attribute.key}"
        try:
            upload = find(pick.upload_id, hold=hold)
        except UploadNotFound:
            detail = UPLOAD_UNKNOWN.get(locale)
            technical = f"No upload {pick.upload_id[:40]}."
            check.errors.append(
                FieldError(where, detail, code=ErrorCode.INVALID_PICK, technical_detail=technical)
            )
            continue
        spec = attribute.image
        if not _STORED_AS.get(upload.format, frozenset()) & set(spec.formats):
            detail = MESSAGES.localized(
                "“{label}” takes {formats} images only: upload the picture again in one of them.",
                label=attribute.label,
                formats=listed([f.upper() for f in spec.formats], "or"),
            ).get(locale)
            check.errors.append(
                FieldError(
                    where,
                    detail,
                    code=ErrorCode.INVALID_PICK,
                    technical_detail=f"upload {pick.upload_id[:40]} is {upload.format}: "
                    f"not one of {', '.join(spec.formats)}",
                )
            )
            continue
        zone = PrintZone(*spec.print_size)
        warning = print_quality_warning(
            upload.width, upload.height, zone, spec.min_dpi, _fit(model, attribute.key), locale
        )
        if warning is not None:
            check.warnings.append({"attribute": attribute.key, "code": "print-quality", "message": warning})
    return check


def _fit(model: ProductModel, key: str) -> Fit:
    """How the first photo zone of an attribute places the photo: that decides which axis counts."""
    for view in model.views:
        for layer in view.layers:
            if isinstance(layer, PhotoLayer) and layer.attribute == key:
                return "contain" if layer.fit == "contain" else "cover"
    return "cover"


def named_uploads(choices: Select[tuple[Any]], ids: set[str]) -> set[str]:
    """The ids among `ids` that the stored choices this query selects name (a photo's value is its
    upload id, wherever it sits in the choices); rows are read `READ_CHUNK` at a time."""
    named: set[str] = set()
    for stored in db.session.execute(choices.execution_options(yield_per=READ_CHUNK)).scalars():
        named.update(value for value in _strings(stored) if value in ids)
    return named


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def require_uploads(
    product: Product, picks: Mapping[str, Value], locale: str = "en", *, hold: bool = False
) -> UploadCheck:
    """`check_uploads`, with its errors raised as `PhotoRefused` (422): a design or an answer never
    names a photo that is not there."""
    check = check_uploads(product, picks, locale, hold=hold)
    if check.errors:
        # Each error is in `locale` already; the paths are the errors' own, for integrators.
        detail = Localized({locale: " ".join(dict.fromkeys(error.detail for error in check.errors))})
        raise PhotoRefused(detail, errors=check.errors)
    return check
