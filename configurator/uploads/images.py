"""Turn a shopper's file into a clean image, or refuse it. No Flask here: bytes in, bytes out.

The file's own bytes decide what it is (never its name or Content-Type); only the accepted formats are
handed to Pillow, and only after the header's size is within the pixel cap, so a small file that
declares a gigantic image is refused before anything is allocated. What is kept is a re-encoding of
the pixels alone: EXIF (GPS, camera serials), XMP, comments, text chunks and anything appended after
the image never reach the store. Orientation is applied first; an embedded colour profile is applied
to the pixels (converted to sRGB) instead of being copied.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps

from configurator.config import UPLOAD_FORMATS
from configurator.uploads.errors import ImageTooLarge, ImageUnreadable, UnsupportedImage

DEFAULT_MAX_PIXELS = 40_000_000  # a 48 MP phone photo is refused; 8000x5000 passes
JPEG_QUALITY = 90
PNG_COMPRESS_LEVEL = 6
SNIFF_BYTES = 64

# Formats we can name to the shopper, accepted or not, from their first bytes.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", "PDF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "PSD"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_MARKUP_PREFIXES = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # byte-order marks before markup


@dataclass(frozen=True)
class ImagePolicy:
    """What an upload may be: its formats (Pillow names) and how many pixels its header may declare."""

    formats: frozenset[str] = field(default=UPLOAD_FORMATS)
    max_pixels: int = DEFAULT_MAX_PIXELS
    jpeg_quality: int = JPEG_QUALITY


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image: pixels only, no metadata."""

    data: bytes
    format: str  # "png" | "jpeg"
    width: int
    height: int

    @property
    def mimetype(self) -> str:
        return f"image/{self.format}"


def sniff(data: bytes) -> str | None:
    """The format the bytes are in, from their first bytes alone (None when unknown).

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff(b"RIFF\\x00\\x00\\x00\\x00WEBPVP8 "), sniff(b"GIF89a")
    ('PNG', 'WEBP', 'GIF')
    >>> sniff(b"  <svg xmlns='http://www.w3.org/2000/svg'>"), sniff(b"hello")
    ('markup', None)
    """
    head = data[:SNIFF_BYTES]
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "AVIF" if brand in (b"avif", b"avis") else "HEIF" if brand in _HEIF_BRANDS else None
    for mark in _MARKUP_PREFIXES:
        head = head.removeprefix(mark)
    # SVG, HTML and XML: text that a browser or viewer would run or render, never an image to print.
    if head.lstrip(b" \t\r\n\x00").startswith(b"<"):
        return "markup"
    return None


def describe_formats(formats: frozenset[str]) -> str:
    """`PNG, JPEG or WebP` for messages.

    >>> describe_formats(frozenset({"WEBP", "PNG", "JPEG"}))
    'PNG, JPEG or WebP'
    """
    order = ["PNG", "JPEG", "WEBP"]
    ranked = [f for f in order if f in formats] + sorted(formats - set(order))
    names = ["WebP" if f == "WEBP" else f for f in ranked]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def clean_image(data: bytes, policy: ImagePolicy | None = None) -> CleanImage:
    """Check `data` by its bytes, decode it within the policy's caps and re-encode it without metadata.

    Raises `UnsupportedImage` (not an accepted format), `ImageTooLarge` (too many pixels) or
    `ImageUnreadable` (empty, truncated, corrupt or animated)."""
    policy = policy or ImagePolicy()
    if not data:
        raise ImageUnreadable("The file is empty.")
    kind = sniff(data)
    if kind not in policy.formats:
        accepted = describe_formats(policy.formats)
        if kind == "HEIF":
            detail = f"HEIC photos are not accepted: please upload a {accepted} (most phones can share one)."
        elif kind == "markup":
            detail = f"This file is text (SVG, HTML or XML), not a photo: please upload a {accepted}."
        elif kind:
            article = "an" if kind[0] in "AEIOU" else "a"
            detail = f"This file is {article} {kind}: please upload a {accepted}."
        else:
            detail = f"This file is not an image we can read: please upload a {accepted}."
        raise UnsupportedImage(detail)
    try:
        image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(policy) from None
    except Exception as error:  # any failure to parse an untrusted header is the file's fault
        raise ImageUnreadable(f"This {kind} file is damaged and cannot be opened.") from error
    with image:
        width, height = image.size
        # The header's claim, checked before a single pixel is decoded.
        if width < 1 or height < 1 or width * height > policy.max_pixels:
            raise _too_large(policy, width, height)
        # MPO is a JPEG holding extra views (depth maps, previews): the first one is the photo.
        if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
            raise ImageUnreadable("Animated images are not accepted: please upload a still image.")
        try:
            image.load()
            output = "jpeg" if kind == "JPEG" else "png"
            pixels = _normalised(image, output)
            encoded = _encode(pixels, output, policy)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large(policy, width, height) from None
        except Exception as error:  # truncated data, bad checksums, decoder errors
            raise ImageUnreadable(
                f"This {kind} file is incomplete or damaged: please upload it again or export it anew."
            ) from error
    return CleanImage(encoded, output, pixels.width, pixels.height)


def _too_large(policy: ImagePolicy, width: int = 0, height: int = 0) -> ImageTooLarge:
    megapixels = policy.max_pixels / 1_000_000
    size = f" ({width}×{height} px)" if width and height else ""
    return ImageTooLarge(f"This image is too large{size}: at most {megapixels:g} megapixels are accepted.")


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _normalised(image: Image.Image, output: str) -> Image.Image:
    """Upright, in sRGB, in a mode the output format stores, and with no metadata left on it."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # unreadable EXIF: keep the pixels as stored rather than refuse
        pass
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, source, _srgb(), outputMode=mode) or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile that does not parse is dropped; the pixels are kept as they are
    transparent = "transparency" in image.info
    if image.mode in ("RGBA", "LA") and not transparent:
        pass
    elif transparent or image.mode in ("PA", "RGBa", "La"):
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "RGB") and not (output == "png" and image.mode.startswith("I")):
        image = image.convert("RGB")  # P, CMYK without a profile, YCbCr, ...
    if output == "jpeg" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    # Encoders read some metadata from here (PNG: ICC, transparency; JPEG: comments): start clean.
    image.info = {}
    return image


def _encode(image: Image.Image, output: str, policy: ImagePolicy) -> bytes:
    buffer = io.BytesIO()
    if output == "jpeg":
        image.save(buffer, "JPEG", quality=policy.jpeg_quality)
    else:
        image.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
