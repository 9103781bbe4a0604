"""Rendered previews kept in the blob store, keyed by the render key (the sha256 of everything that
decides the pixels) and the image format.

A key names one image forever, so a stored preview is never stale and is never rendered twice: a miss
renders, stores atomically, and concurrent misses for the same key in this process wait for the first
one instead of rendering the same image again (a shared link opened by many shoppers at once).
Processes do not coordinate: two workers may both render a brand-new key, and the second write
replaces the first with identical bytes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from configurator.storage import BlobStore

FORMATS = frozenset({"png", "webp"})
MIMETYPES = {"png": "image/png", "webp": "image/webp"}
_KEY = re.compile(r"[0-9a-f]{64}")


class KeyLocks:
    """One lock per key, alive only while someone holds or waits for it (no table that only grows)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


class PreviewCache:
    """Previews by (render key, format) over a `BlobStore`."""

    def __init__(self, store: BlobStore, prefix: str = "previews") -> None:
        self.store = store
        self.prefix = prefix
        self.locks = KeyLocks()

    def blob_key(self, key: str, fmt: str) -> str:
        """Where a preview is stored: fanned out by the key's first two characters.

        >>> from configurator.storage import MemoryBlobStore
        >>> PreviewCache(MemoryBlobStore()).blob_key("ab" * 32, "webp")  # doctest: +ELLIPSIS
        'previews/ab/abab...abab.webp'
        """
        if not _KEY.fullmatch(key):
            raise ValueError(f"a render key is 64 lowercase hex characters, not {key[:80]!r}")
        if fmt not in FORMATS:
            raise ValueError(f"previews are {' or '.join(sorted(FORMATS))}, not {fmt!r}")
        return f"{self.prefix}/{key[:2]}/{key}.{fmt}"

    def get(self, key: str, fmt: str) -> bytes | None:
        """The stored preview, or None."""
        return self.store.get(self.blob_key(key, fmt))

    def get_or_render(self, key: str, fmt: str, render: Callable[[], bytes]) -> bytes:
        """The stored preview, rendering and storing it first on a miss (once per key in this process)."""
        blob_key = self.blob_key(key, fmt)
        data = self.store.get(blob_key)
        if data is not None:
            return data
        with self.locks.hold(blob_key):
            # Whoever held the lock before us may have stored it meanwhile.
            data = self.store.get(blob_key)
            if data is None:
                data = render()
                self.store.put(blob_key, data)
        return data
