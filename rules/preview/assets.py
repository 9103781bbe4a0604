"""Where preview assets come from, and the per-process caches of what is prepared from them.

An asset is named by its path relative to the catalog folder. A source answers each path's digest
(sha256 of its bytes) and bytes; everything prepared from an asset (decoded, resized, cropped, fonts)
is cached by that digest, so a file is decoded once per process and size whatever version names it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol, TypeVar

from cachetools import LRUCache
from PIL import Image, ImageFont, ImageOps, features

from rules.errors import RulesError
from rules.model import DEFAULT_FONT

MAX_ASSET_BYTES = 32 * 1024 * 1024
MAX_ASSET_PIXELS = 4096 * 4096  # a view is at most 4096×4096, and assets have the view's size
PREPARED_CACHE_BYTES = 160 * 1024 * 1024
FONT_CACHE_BYTES = 24 * 1024 * 1024  # each font object holds its own copy of the font file

Font = ImageFont.FreeTypeFont
T = TypeVar("T")


class AssetError(RulesError):
    """An asset cannot be used: missing, too large, not a PNG (or font), or the wrong size."""

    def __init__(self, path: str, reason: str, *, too_large: bool = False) -> None:
        self.path = path
        self.reason = reason
        self.too_large = too_large  # it is what it says, only bigger than any view
        super().__init__(f"{path}: {reason}")


class AssetSource(Protocol):
    """Gives assets by relative path; `digest` must be cheap after the first call."""

    def digest(self, path: str) -> str:
        """The sha256 (hex) of the file's bytes; raises AssetError when it is missing."""
        ...

    def read(self, path: str) -> bytes:
        """The file's bytes; raises AssetError when it is missing or too large."""
        ...


class FolderAssets:
    """Assets in a catalog folder on disk; digests are remembered per file size and modification time."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).resolve()
        self._digests: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def _file(self, path: str) -> Path:
        target = (self.folder / path).resolve()
        if not target.is_relative_to(self.folder):  # a symbolic link out of the catalog folder
            raise AssetError(path, "it lies outside the catalog folder")
        if not target.is_file():
            raise AssetError(path, "the file does not exist")
        return target

    def digest(self, path: str) -> str:
        """The sha256 of the file, read again only when its size or modification time changed."""
        target = self._file(path)
        stat = target.stat()
        with self._lock:
            known = self._digests.get(path)
        if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
            return known[2]
        value = hashlib.sha256(self.read(path)).hexdigest()
        with self._lock:
            self._digests[path] = (stat.st_size, stat.st_mtime_ns, value)
        return value

    def read(self, path: str) -> bytes:
        """The file's bytes (at most MAX_ASSET_BYTES)."""
        target = self._file(path)
        with target.open("rb") as handle:
            data = handle.read(MAX_ASSET_BYTES + 1)
        if len(data) > MAX_ASSET_BYTES:
            raise AssetError(path, f"the file is larger than {MAX_ASSET_BYTES} bytes")
        return data


class MemoryAssets:
    """Assets held in memory (e.g. stored with a published version): path -> bytes."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = dict(files)
        self._digests = {path: hashlib.sha256(data).hexdigest() for path, data in self.files.items()}

    def digest(self, path: str) -> str:
        """The sha256 of the file's bytes."""
        try:
            return self._digests[path]
        except KeyError:
            raise AssetError(path, "the file does not exist") from None

    def read(self, path: str) -> bytes:
        """The file's bytes."""
        try:
            return self.files[path]
        except KeyError:
            raise AssetError(path, "the file does not exist") from None


_folders: dict[Path, FolderAssets] = {}
_folders_lock = threading.Lock()


def folder_assets(folder: str | Path) -> FolderAssets:
    """The shared source for a folder (one per folder, so its digests are remembered)."""
    key = Path(folder).resolve()
    with _folders_lock:
        found = _folders.get(key)
        if found is None:
            found = _folders[key] = FolderAssets(key)
        return found


# -- decoding -------------------------------------------------------------------------------------


def open_png(data: bytes, path: str) -> Image.Image:
    """Open PNG bytes, refusing other formats and oversized images before decoding the pixels."""
    return _open_image(
        data,
        path,
        ("PNG",),
        wanted="a PNG image",
        holder="a view",
        largest="a view can be",
        damaged="the PNG",
    )


def open_picture(data: bytes, path: str) -> Image.Image:
    """Open an option's picture (PNG, JPEG or WebP), refusing other formats and oversized images
    before decoding the pixels."""
    return _open_image(
        data,
        path,
        ("PNG", "JPEG", "WEBP"),
        wanted="a PNG, JPEG or WebP image",
        holder="a picture",
        largest="4096×4096",
        damaged="the image",
    )


def _open_image(
    data: bytes, path: str, formats: tuple[str, ...], *, wanted: str, holder: str, largest: str, damaged: str
) -> Image.Image:
    """Open image bytes of `formats` (`wanted`, in words), refusing an image with more pixels than
    `holder` can have (it is then "larger than `largest`") before decoding them."""
    try:
        # Pillow's own bomb guard stays at its default: lowering it process-wide would change what
        # the app's uploads accept. The header's size is checked against ours before decoding.
        image = Image.open(io.BytesIO(data), formats=list(formats))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's guard fired on the header's size (the warning only raises when warnings are
        # errors): a size far past ours, said as plainly as ours.
        raise AssetError(path, f"it declares more pixels than {holder} can have", too_large=True) from None
    except (OSError, SyntaxError, ValueError):
        raise AssetError(path, f"it is {_what(data)}, not {wanted}") from None
    if image.width * image.height > MAX_ASSET_PIXELS:
        raise AssetError(path, f"it is {image.width}×{image.height}, larger than {largest}", too_large=True)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise AssetError(path, f"{damaged} is damaged ({error})") from None
    return image


def swatch(data: bytes, path: str, size: int, fmt: str) -> bytes:
    """An option's picture as a square swatch of `size` pixels: the middle of the picture, scaled down
    (never up), encoded as PNG or WebP. Raises AssetError when the picture does not open."""
    image = open_picture(data, path)
    image = ImageOps.exif_transpose(image).convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    side = min(size, image.width, image.height)
    square = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "webp":
        square.save(out, "WEBP", quality=85, method=4)
    else:
        square.save(out, "PNG", optimize=True)
    return out.getvalue()


# What a file that is not a PNG most often is, by its first bytes (whatever it is named).
_SIGNATURES = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF file (WebP?)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a damaged PNG image"),
)


def _what(data: bytes) -> str:
    """What some bytes look like, for a message: "a GIF image", "an SVG drawing", "an empty file"...

    >>> _what(b"GIF89a..."), _what(b'<?xml version="1.0"?><svg/>'), _what(b"")
    ('a GIF image', 'an SVG drawing', 'an empty file')
    """
    if not data:
        return "an empty file"
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        return "an SVG drawing"
    return "a file of another kind"


UPLOAD_FORMATS = ["PNG", "JPEG", "WEBP"]
MAX_UPLOAD_PIXELS = 50_000_000  # above what the app accepts (40 megapixels by default)


def upload_photo(data: bytes, box: tuple[int, int], fit: str) -> Image.Image | None:
    """A shopper's image scaled for a box of `box` pixels: `cover` fills it (and overflows it on one
    axis), `contain` fits inside it. None when the bytes are not a still image we can read: an
    unreadable photo leaves its zone empty rather than failing the whole render."""
    digest = hashlib.sha256(data).hexdigest()
    found = PREPARED.get(("upload", digest, box, fit))
    if isinstance(found, Prepared):
        return found.image
    image = _scaled_upload(data, box, fit)
    PREPARED.put(("upload", digest, box, fit), Prepared(image, (0, 0)))
    return image


def _scaled_upload(data: bytes, box: tuple[int, int], fit: str) -> Image.Image | None:
    try:
        opened = Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS)
        width, height = opened.size
        # The header's claim, checked before a single pixel is decoded.
        if width < 1 or height < 1 or width * height > MAX_UPLOAD_PIXELS:
            return None
        factor = (max if fit == "cover" else min)(box[0] / width, box[1] / height)
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        if opened.format == "JPEG":
            opened.draft("RGB", size)  # decode at a reduced scale when that is enough
        opened.load()
        image = opened.convert("RGBA")
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        return image
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


# Text is shaped by HarfBuzz and ordered by FriBiDi (Pillow's RAQM layout): Arabic letters join and
# run right to left, Indic conjuncts form, Latin gets its kerning. Pillow's wheels carry RAQM and
# HarfBuzz and load FriBiDi from the system (Debian's libfribidi0); without it, text is laid out
# glyph by glyph (BASIC), which only Latin, Greek and Cyrillic survive.
LAYOUT: Final = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


def open_font(data: bytes | None, size: int, path: str) -> Font:
    """A font at `size` pixels from a font file's bytes, or Pillow's built-in font when data is None."""
    try:
        if data is None:
            built_in = ImageFont.load_default(size=size)
            if not isinstance(built_in, ImageFont.FreeTypeFont):
                raise AssetError(path, "this Pillow has no FreeType: the built-in font cannot be scaled")
            return built_in
        return ImageFont.truetype(io.BytesIO(data), size=size, layout_engine=LAYOUT)
    except (OSError, ValueError) as error:
        raise AssetError(path, f"it is not a TrueType or OpenType font ({error})") from None


# -- caches ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """An asset resized for one output size and cropped to what it covers; drawn at `offset`."""

    image: Image.Image | None  # None: the asset is empty (fully transparent or black)
    offset: tuple[int, int]

    def cost(self) -> int:
        """Bytes held, for the cache budget."""
        if self.image is None:
            return 64
        return self.image.width * self.image.height * len(self.image.getbands()) + 64


class LRU:
    """A thread-safe least-recently-used cache bounded by a cost budget (bytes, or entries), counting
    its hits and misses: cachetools' `LRUCache` behind one lock. A value costing more than the whole
    budget is not kept."""

    def __init__(self, budget: int, cost: Callable[[object], int] = lambda _: 1) -> None:
        self.budget = budget
        self._items: LRUCache[object, object] = LRUCache(maxsize=budget, getsizeof=cost)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def used(self) -> int:
        return int(self._items.currsize)

    def get(self, key: object) -> object | None:
        """The cached value (now the most recent), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def put(self, key: object, value: object) -> None:
        """Remember a value, forgetting the least recently used ones beyond the budget."""
        with self._lock:
            self._items.pop(key, None)
            if self._items.getsizeof(value) <= self.budget:
                self._items[key] = value

    def discard(self, key: object) -> None:
        """Forget one value, if it is there."""
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


def _font_cost(value: object) -> int:
    held = getattr(value, "font_bytes", b"")
    return len(held) + 4096 if isinstance(held, bytes) else 65536


def _prepared_cost(value: object) -> int:
    return value.cost() if isinstance(value, Prepared) else 64


PREPARED = LRU(PREPARED_CACHE_BYTES, _prepared_cost)
FONTS = LRU(FONT_CACHE_BYTES, lambda font: _font_cost(font))
FONT_FILES = LRU(32)  # font bytes by digest: fonts at many sizes share one read


def cached(cache: LRU, key: object, make: Callable[[], T]) -> T:
    """The cached value for `key`, made (outside the lock) and remembered on a miss."""
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[return-value]
    value = make()
    cache.put(key, value)
    return value


def prepared(
    source: AssetSource, path: str, kind: str, master: tuple[int, int], target: tuple[int, int]
) -> Prepared:
    """The asset `path` as layer `kind` ("image" RGBA or "mask" L) at the target size, cached by digest."""
    digest = source.digest(path)
    return cached(PREPARED, (digest, kind, target), lambda: _prepare(source, path, kind, master, target))


def _prepare(
    source: AssetSource, path: str, kind: str, master: tuple[int, int], target: tuple[int, int]
) -> Prepared:
    image = open_png(source.read(path), path)
    if image.size != master:
        raise AssetError(
            path, f"it is {image.width}×{image.height}, not {master[0]}×{master[1]} like its view"
        )
    if kind == "mask":
        image = image if image.mode == "L" else image.convert("L")
    else:
        image = image.convert("RGBA")
    if image.size != target:
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    coverage = image if kind == "mask" else image.getchannel("A")
    box = coverage.getbbox()
    if box is None:
        return Prepared(None, (0, 0))
    if box != (0, 0, *target):
        image = image.crop(box)
    return Prepared(image, (box[0], box[1]))


def font(source: AssetSource, path: str, size: int) -> Font:
    """A font file (or DEFAULT_FONT) at `size` pixels, cached by digest and size."""
    if path == DEFAULT_FONT:
        return cached(FONTS, (DEFAULT_FONT, size), lambda: open_font(None, size, path))
    digest = source.digest(path)

    def make() -> Font:
        data = cached(FONT_FILES, digest, lambda: source.read(path))
        return open_font(data, size, path)

    return cached(FONTS, (digest, size), make)


def clear_caches() -> None:
    """Forget every prepared asset and font (tests and benchmarks measure cold paths with it)."""
    PREPARED.clear()
    FONTS.clear()
    FONT_FILES.clear()
