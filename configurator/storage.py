"""Blob storage: shoppers' uploads, rendered previews and production proofs, addressed by key.

One small interface (`BlobStore`) so a filesystem today and an object store later look the same to the
services. Keys are slash-separated paths of plain names (`uploads/abc.png`); anything that could climb
out of the root (`..`, absolute paths, backslashes, hidden names) is refused before touching a disk.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

EXTENSION = "atelier.blobs"
MAX_KEY_LENGTH = 512
# One path segment: never starts with a dot (no hidden files, no "." or "..": temporary files are
# dot-named, so no key collides with one), then plain characters only.
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


class InvalidKey(ValueError):
    """A key that could name something outside the store, or nothing at all."""


def check_key(key: str) -> str:
    """The key itself when it is safe to map onto a path; `InvalidKey` otherwise.

    >>> check_key("previews/ab/ab12.webp")
    'previews/ab/ab12.webp'
    >>> check_key("uploads/../../etc/passwd")
    Traceback (most recent call last):
    ...
    configurator.storage.InvalidKey: not a valid blob key: 'uploads/../../etc/passwd'
    """
    if (
        not isinstance(key, str)
        or not 0 < len(key) <= MAX_KEY_LENGTH
        or not all(_SEGMENT.fullmatch(segment) for segment in key.split("/"))
    ):
        raise InvalidKey(f"not a valid blob key: {key!r}")
    return key


class BlobStore(Protocol):
    """Bytes by key. `put` replaces atomically: a reader sees the old bytes or the new, never a part."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove a blob; removing one that is not there is not an error."""
        ...


class FileBlobStore:
    """Blobs as files under one root folder; writes go to a temporary file renamed into place."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Where the blob of `key` lives (the key is checked first)."""
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same folder as the target: os.replace is atomic only within one filesystem.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the file from a separate web server
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


class MemoryBlobStore:
    """Blobs in a dict, for tests and throwaway processes."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self._blobs[check_key(key)] = bytes(data)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._blobs.get(check_key(key))

    def exists(self, key: str) -> bool:
        with self._lock:
            return check_key(key) in self._blobs

    def delete(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(check_key(key), None)


_create_lock = threading.Lock()


def media_root(app: Flask) -> Path:
    """The folder the app keeps blobs in: ATELIER_MEDIA_ROOT, or `media` in Flask's instance folder."""
    configured = app.config.get("ATELIER_MEDIA_ROOT") or ""
    return Path(configured) if configured else Path(app.instance_path) / "media"


def blob_store(app: Flask | None = None) -> BlobStore:
    """The app's blob store, created on first use (nothing is touched on disk until then)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get(EXTENSION)
    if store is None:
        with _create_lock:
            store = app.extensions.get(EXTENSION)
            if store is None:
                store = app.extensions[EXTENSION] = FileBlobStore(media_root(app))
    return store  # type: ignore[no-any-return]
