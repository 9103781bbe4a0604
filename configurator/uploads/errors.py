"""Errors of the uploads domain: each tells the shopper what to do about their file."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode, NotFound, ValidationFailed


class UploadNotFound(NotFound):
    code = ErrorCode.UPLOAD_NOT_FOUND
    title = "Upload not found"


class PhotoRefused(ValidationFailed):
    """Picks naming a photo that is not there or that the attribute does not take: the same problem
    as any other pick the product cannot read (422 `invalid-pick`)."""

    code = ErrorCode.INVALID_PICK
    title = "Invalid picks"


class UploadTooLarge(AtelierError):
    """The file has more bytes than an upload may have."""

    status = 413
    code = ErrorCode.UPLOAD_TOO_LARGE
    title = "File too large"


class UnsupportedImage(AtelierError):
    """The bytes are not one of the accepted image formats, whatever the name or Content-Type said."""

    status = 415
    code = ErrorCode.UNSUPPORTED_IMAGE
    title = "Unsupported file type"


class ImageUnreadable(AtelierError):
    """The bytes start like an accepted image but do not decode as one (truncated, corrupt, animated)."""

    status = 422
    code = ErrorCode.IMAGE_UNREADABLE
    title = "Image not readable"


class ImageTooLarge(AtelierError):
    """The image declares more pixels than we decode (a decompression bomb, or just a huge photo)."""

    status = 422
    code = ErrorCode.IMAGE_TOO_LARGE
    title = "Image too large"
