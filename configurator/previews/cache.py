"""Rendered previews kept in the blob store, keyed by the render key (the sha256 of everything that
decides the pixels) and the image format, within a budget of bytes and age.

A key names one image forever, so a stored preview is never stale, and any of them may go: a miss
renders it again, to the same bytes under the same ETag. A miss renders, stores atomically, and
concurrent misses for the same key in this process wait for the first one instead of rendering the
same image again (a shared link opened by many shoppers at once). Processes do not coordinate: two
workers may both render a brand-new key, and the second write replaces the first with identical bytes.

The budget: at most `Budget.max_bytes` of previews, none written longer ago than `Budget.max_age`.
Eviction goes by the time a preview was written (first in, first out), not by its last read: neither a
folder on a shared volume (mounted `noatime` or `relatime`) nor a bucket records reads, and recording
them ourselves would turn every hit into a write. A popular preview that goes is drawn once more and
is then the youngest again; browsers and CDNs keep it for a year meanwhile (`immutable`).

A sweep lists the store's `previews/` folder, removes what is past the age limit, and, when the rest
holds more than `LOW_WATER` (90 %) of the budget, removes the oldest down to that mark. While it
lists, it keeps the `RESERVE` oldest previews in mind (a heap) and a histogram of bytes by age (bands
`AGE_BAND` apart), never the whole listing, so its memory does not grow with the store: the oldest
it kept are usually enough (a sweep removes what a few processes wrote since the last one), and
when they are not it lists again and removes whole age bands. Sweeps run in two places: a process
that has written 1/`SWEEP_SHARE` (1/256) of the budget since its last sweep began starts one in a
background thread (one at a time per process, so the request that crossed the mark does not wait for
it), and beat's `previews.sweep` runs one every 10 minutes (which also applies the age limit to a
store nobody writes to). A process that has written a second 1/256 while its sweep still runs waits
for it: writes never outrun sweeps.

So each sweep leaves at most 90 % of the budget, and each process adds less than 2/256 of it before
its next sweep has finished: up to twelve processes writing previews at once stay within the budget
whatever the pace, and each further one can add 1/128 of it. The cost per write is constant: a sweep
lists about as many previews as the budget holds, once every 1/256 of the budget written, so about
230 listed entries per preview stored (a tenth of a render's CPU: `python -m bench.previews`).

Only `previews/` is swept: production proofs (`proofs/`) and shoppers' photos (`uploads/`) share the
store and are never touched here.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from configurator.storage import BlobStore

FORMATS = frozenset({"png", "webp"})
MIMETYPES = {"png": "image/png", "webp": "image/webp"}
_KEY = re.compile(r"[0-9a-f]{64}")
# A sweep brings the store down to this share of the budget, leaving room for what every process
# writes until its next sweep.
LOW_WATER = 0.9
# A process sweeps after writing this fraction of the budget, and waits for that sweep once it has
# written twice as much.
SWEEP_SHARE = 256
# Ages are compared in bands this far apart (1 %), from a millisecond up: a sweep may take a preview
# a hundredth younger than the oldest one it keeps.
AGE_BAND = 1.01
_LOG_BAND = math.log(AGE_BAND)
_YOUNGEST = 0.001
# The oldest previews a sweep keeps in mind while it lists (about 4 MB of memory): enough for what
# twelve processes write between two sweeps of a budget up to 10 GB of 50 KB previews.
RESERVE = 20_000

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Budget:
    """What the preview store may hold: `max_bytes` of previews (0 keeps none), each for at most
    `max_age` seconds after it was written (None: no age limit)."""

    max_bytes: int
    max_age: float | None = None

    @property
    def low_water(self) -> int:
        """The bytes a sweep brings the store down to (it removes nothing below them).

        >>> Budget(10_000).low_water, Budget(10_000).sweep_every
        (9000, 39)
        """
        return int(self.max_bytes * LOW_WATER)

    @property
    def sweep_every(self) -> int:
        """How many bytes a process writes between two of its sweeps."""
        return max(1, self.max_bytes // SWEEP_SHARE)


@dataclass
class Swept:
    """What one sweep found and removed."""

    examined: int = 0
    stored_bytes: int = 0  # before the sweep
    expired: int = 0  # removed for their age
    evicted: int = 0  # removed for the budget
    removed_bytes: int = 0

    @property
    def kept_bytes(self) -> int:
        """What the store holds after the sweep (as far as this sweep knows)."""
        return self.stored_bytes - self.removed_bytes


def age_band(age: float) -> int:
    """The band of an age in seconds: 0 under a millisecond, then bands 1 % wide, older ages higher.

    >>> age_band(0.0004), age_band(0.001), age_band(100.0) == age_band(100.6), age_band(100) < age_band(101.5)
    (0, 1, True, True)
    """
    return 0 if age < _YOUNGEST else 1 + int(math.log(age / _YOUNGEST) / _LOG_BAND)


def sweep(
    store: BlobStore, prefix: str, budget: Budget, now: float | None = None, *, reserve: int = RESERVE
) -> Swept:
    """Remove the blobs under `prefix/` that are past the budget's age, then, when the rest holds more
    than `budget.low_water`, the oldest ones down to it. Blobs written after `now` (the sweep's start,
    to the store clock's resolution) are never removed."""
    now = time.time() if now is None else now
    result = Swept()
    oldest: list[tuple[float, str, int]] = []  # a min-heap by age of the `reserve` oldest seen
    # Bytes by age band, counted once the heap is full (before, the heap holds everything seen).
    by_band: Counter[int] = Counter()
    counting = False
    for key, size, written in store.scan(prefix):
        result.examined += 1
        result.stored_bytes += size
        age = now - written
        if budget.max_age is not None and age > budget.max_age:
            store.delete(key)
            result.expired += 1
            result.removed_bytes += size
        elif age < 0:
            continue  # written since the sweep began
        elif len(oldest) < reserve:
            heapq.heappush(oldest, (age, key, size))
        else:
            if not counting:
                counting = True
                for seen, _, seen_size in oldest:
                    by_band[age_band(seen)] += seen_size
            by_band[age_band(age)] += size
            if oldest and age > oldest[0][0]:
                heapq.heapreplace(oldest, (age, key, size))
    needed = result.kept_bytes - budget.low_water
    if needed <= 0:
        return result
    if not counting or sum(size for _, _, size in oldest) >= needed:
        for _, key, size in sorted(oldest, reverse=True):
            if needed <= 0:
                break
            _evict(store, key, size, result)
            needed -= size
        return result
    # More to remove than the oldest kept in mind: list again, and remove whole age bands, oldest first,
    # then in the band where the mark falls only what is still needed.
    cutoff = 0
    for band in sorted(by_band, reverse=True):
        cutoff = band
        if by_band[band] >= needed:
            break
        needed -= by_band[band]
    for key, size, written in store.scan(prefix):
        age = now - written
        if age < 0 or (budget.max_age is not None and age > budget.max_age):
            continue  # written since the sweep began, or removed for its age above
        band = age_band(age)
        if band < cutoff or (band == cutoff and needed <= 0):
            continue
        if band == cutoff:
            needed -= size
        _evict(store, key, size, result)
    return result


def _evict(store: BlobStore, key: str, size: int, result: Swept) -> None:
    store.delete(key)
    result.evicted += 1
    result.removed_bytes += size


class PreviewCache:
    """Previews by (render key, format) over a `BlobStore`, within `budget` (None: no limit). One per
    process and store: its key locks and its count of bytes written are per process."""

    def __init__(self, store: BlobStore, prefix: str = "previews", budget: Budget | None = None) -> None:
        self.store = store
        self.prefix = prefix
        self.budget = budget
        self.locks = KeyLocks()
        self._guard = threading.Lock()
        self._written = 0  # bytes written since this process's last sweep
        self._idle = threading.Event()
        self._idle.set()

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
                if self.budget is None or self.budget.max_bytes > 0:
                    self.store.put(blob_key, data)
                    self._count(len(data))
        return data

    def sweep(self) -> Swept:
        """Hold the budget now, in this thread (beat's task and tests); nothing to do without one."""
        if self.budget is None:
            return Swept()
        return sweep(self.store, self.prefix, self.budget)

    def usage(self) -> tuple[int, int]:
        """How many previews are stored, and their bytes (a listing of the store)."""
        count = size = 0
        for blob in self.store.scan(self.prefix):
            count += 1
            size += blob.size
        return count, size

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no background sweep of this cache runs; False when one still does after `timeout`."""
        return self._idle.wait(timeout)

    def _count(self, size: int) -> None:
        if self.budget is None:
            return
        every = self.budget.sweep_every
        with self._guard:
            self._written += size
            start = self._written >= every and self._idle.is_set()
            if start:
                self._written = 0  # what is written from now on counts toward the next sweep
                self._idle.clear()
            behind = self._written >= 2 * every  # a sweep runs, and a second share is written already
        if start:
            threading.Thread(target=self._sweep_while_due, name="preview-sweep", daemon=True).start()
        elif behind:
            self._idle.wait()

    def _sweep_while_due(self) -> None:
        assert self.budget is not None
        try:
            due = True
            while due:
                self._sweep_and_log()
                with self._guard:  # decided under the lock `_count` takes: no write goes uncounted
                    due = self._written >= self.budget.sweep_every
                    if due:
                        self._written = 0
                    else:
                        self._idle.set()
        finally:
            self._idle.set()

    def _sweep_and_log(self) -> None:
        try:
            swept = self.sweep()
        except Exception:  # noqa: BLE001  # a thread of our own: nothing above it would log the failure
            logger.exception("could not sweep the preview store; the next sweep tries again")
            return
        if swept.removed_bytes:
            logger.info(
                "preview store: %s previews, %s bytes; removed %s (%s past the age limit), %s bytes",
                swept.examined,
                swept.stored_bytes,
                swept.expired + swept.evicted,
                swept.expired,
                swept.removed_bytes,
            )
