"""The preview store and its HTTP helpers: blobs by key, one render per key under a burst, strong ETags,
304s and WebP-or-PNG negotiation."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from configurator.previews.cache import Budget, PreviewCache, sweep
from configurator.previews.responses import etag_matches, image_response, negotiate_format
from configurator.storage import (
    BlobInfo,
    BlobStore,
    FileBlobStore,
    InvalidKey,
    MemoryBlobStore,
    blob_store,
    check_key,
)
from tests.support.previews import preview_key, write_in_processes

KEY = hashlib.sha256(b"a design").hexdigest()


# --- the blob store ----------------------------------------------------------------------------------


def test_file_store_round_trips_and_replaces_atomically(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    assert store.get("previews/ab/x.png") is None
    assert not store.exists("previews/ab/x.png")
    store.put("previews/ab/x.png", b"one")
    store.put("previews/ab/x.png", b"two")
    assert store.get("previews/ab/x.png") == b"two"
    assert store.exists("previews/ab/x.png")
    # No temporary file is left behind, and the file is readable by a separate web server
    assert [p.name for p in (tmp_path / "previews" / "ab").iterdir()] == ["x.png"]
    assert (tmp_path / "previews" / "ab" / "x.png").stat().st_mode & 0o044 == 0o044


def test_a_failed_write_leaves_neither_a_part_nor_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileBlobStore(tmp_path)
    store.put("a/b.png", b"old")

    def broken_replace(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put("a/b.png", b"new")
    assert store.get("a/b.png") == b"old"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.png"]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../x",
        "a/../../x",
        "/etc/passwd",
        "a//b",
        "a/./b",
        ".hidden",
        "a/.tmp-x.part",
        "a\\b",
        "a/b\x00",
        "é",
        "x" * 600,
    ],
)
def test_keys_that_could_escape_the_root_are_refused(tmp_path: Path, key: str) -> None:
    store = FileBlobStore(tmp_path)
    with pytest.raises(InvalidKey):
        store.put(key, b"x")
    with pytest.raises(InvalidKey):
        store.get(key)
    with pytest.raises(InvalidKey):
        MemoryBlobStore().exists(key)


def test_plain_keys_pass() -> None:
    assert check_key("uploads/_HtLf-T.jpg") == "uploads/_HtLf-T.jpg"


def test_the_app_store_defaults_to_the_instance_folder(test_config: dict[str, Any]) -> None:
    from configurator import create_app

    app = create_app({k: v for k, v in test_config.items() if k != "ATELIER_MEDIA_ROOT"})
    store = blob_store(app)
    assert isinstance(store, FileBlobStore)
    assert store.root == Path(app.instance_path) / "media"
    assert blob_store(app) is store


@pytest.mark.parametrize("kind", ["file", "memory"])
def test_a_store_lists_a_folder_with_sizes_and_write_times(tmp_path: Path, kind: str) -> None:
    store: BlobStore = FileBlobStore(tmp_path) if kind == "file" else MemoryBlobStore()
    assert list(store.scan("previews")) == []  # nothing stored yet: not even the folder
    before = time.time()
    store.put("previews/ab/one.png", b"1" * 10)
    store.put("previews/cd/two.webp", b"2" * 20)
    store.put("proofs/AB12-CD34/7/front.png", b"x")
    store.put("previewsx/y.png", b"y")  # a sibling whose name starts the same is not inside
    if kind == "file":
        (tmp_path / "previews" / "ab" / ".tmp-abc.part").write_bytes(b"a write in progress")
    listed = {blob.key: blob.size for blob in store.scan("previews")}
    assert listed == {"previews/ab/one.png": 10, "previews/cd/two.webp": 20}
    # Written times are the store's clock, in seconds since the epoch like time.time()
    assert all(blob.written >= before - 5 for blob in store.scan("previews"))
    with pytest.raises(InvalidKey):
        list(store.scan("../etc"))


# --- the budget --------------------------------------------------------------------------------------

NOW = 1_750_000_000.0


def put_aged(store: FileBlobStore, key: str, size: int, age: float) -> None:
    """A blob written `age` seconds before NOW."""
    store.put(key, b"x" * size)
    os.utime(store.path(key), (NOW - age, NOW - age))


def preview_blob(index: int) -> str:
    return f"previews/{index:02d}/{preview_key(0, index)}.png"


@pytest.fixture
def aged(tmp_path: Path) -> FileBlobStore:
    """Ten previews of 100 bytes written 10, 20 ... 100 s before NOW, and a proof and a photo of a
    year ago beside them."""
    store = FileBlobStore(tmp_path)
    for index in range(10):
        put_aged(store, preview_blob(index), 100, age=10 * (index + 1))
    put_aged(store, "proofs/AB12-CD34/7/front.png", 5000, age=365 * 86400)
    put_aged(store, "uploads/photo.jpg", 5000, age=365 * 86400)
    return store


def kept(store: BlobStore) -> list[str]:
    return sorted(blob.key for blob in store.scan("previews"))


def test_a_sweep_over_the_mark_removes_the_oldest_down_to_it(aged: FileBlobStore) -> None:
    # Given 1,000 bytes of previews and a budget of 500 (a sweep leaves at most 450)
    swept = sweep(aged, "previews", Budget(500), now=NOW)
    # Then the six oldest went and the four youngest stay
    assert kept(aged) == sorted(preview_blob(i) for i in range(4))
    assert (swept.examined, swept.stored_bytes, swept.evicted, swept.removed_bytes) == (10, 1000, 6, 600)
    # And the proof and the photo, older than any preview, are not previews: they stay
    assert aged.exists("proofs/AB12-CD34/7/front.png")
    assert aged.exists("uploads/photo.jpg")


def test_a_sweep_under_the_mark_removes_nothing(aged: FileBlobStore) -> None:
    swept = sweep(aged, "previews", Budget(1200), now=NOW)
    assert (swept.evicted, swept.expired, len(kept(aged))) == (0, 0, 10)


def test_previews_past_the_age_limit_go_whatever_the_room(aged: FileBlobStore) -> None:
    swept = sweep(aged, "previews", Budget(10**9, max_age=55), now=NOW)
    assert kept(aged) == sorted(preview_blob(i) for i in range(5))
    assert (swept.expired, swept.evicted, swept.removed_bytes) == (5, 0, 500)


def test_previews_written_together_go_only_as_far_as_needed(tmp_path: Path) -> None:
    # Given ten previews written in the same instant (one age band)
    store = FileBlobStore(tmp_path)
    for index in range(10):
        put_aged(store, preview_blob(index), 100, age=5)
    # Then a sweep takes what brings them under the mark, not the whole band
    sweep(store, "previews", Budget(500), now=NOW)
    assert len(kept(store)) == 4


@pytest.mark.parametrize("reserve", [2, 0])
def test_a_sweep_with_more_to_remove_than_it_kept_in_mind_lists_again(
    aged: FileBlobStore, reserve: int
) -> None:
    # The same sweeps as above, keeping only `reserve` of the oldest in mind: whole age bands go
    swept = sweep(aged, "previews", Budget(500), now=NOW, reserve=reserve)
    assert kept(aged) == sorted(preview_blob(i) for i in range(4))
    assert (swept.evicted, swept.removed_bytes) == (6, 600)
    assert aged.exists("proofs/AB12-CD34/7/front.png")


def test_a_sweep_keeps_what_was_written_after_it_began(aged: FileBlobStore) -> None:
    # A sweep that began before these were written (its `now` is older than all of them)
    swept = sweep(aged, "previews", Budget(0), now=NOW - 1000)
    assert (swept.evicted, len(kept(aged))) == (0, 10)


# --- the preview cache -------------------------------------------------------------------------------


def test_a_miss_renders_and_stores_and_a_hit_does_not_render() -> None:
    store = MemoryBlobStore()
    cache = PreviewCache(store)
    renders: list[int] = []

    def render() -> bytes:
        renders.append(1)
        return b"webp bytes"

    assert cache.get_or_render(KEY, "webp", render) == b"webp bytes"
    assert cache.get_or_render(KEY, "webp", render) == b"webp bytes"
    assert len(renders) == 1
    assert store.get(f"previews/{KEY[:2]}/{KEY}.webp") == b"webp bytes"
    # Another format of the same design is another image
    assert cache.get_or_render(KEY, "png", lambda: b"png bytes") == b"png bytes"
    assert cache.get(KEY, "webp") == b"webp bytes"


def test_a_burst_of_misses_renders_once(tmp_path: Path) -> None:
    # Given twelve requests for the same new preview at the same moment
    cache = PreviewCache(FileBlobStore(tmp_path))
    renders: list[int] = []
    start = threading.Barrier(12)
    results: list[bytes] = []

    def render() -> bytes:
        renders.append(1)
        time.sleep(0.05)  # long enough for every other request to arrive and miss
        return b"the image"

    def request() -> None:
        start.wait()
        results.append(cache.get_or_render(KEY, "png", render))

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one render served them all, and no lock is left behind
    assert len(renders) == 1
    assert results == [b"the image"] * 12
    assert len(cache.locks) == 0


def test_different_keys_render_in_parallel() -> None:
    cache = PreviewCache(MemoryBlobStore())
    inside = threading.Barrier(2, timeout=5)

    def render() -> bytes:
        inside.wait()  # both renders must be running at once, or this times out
        return b"x"

    other = hashlib.sha256(b"another design").hexdigest()
    threads = [threading.Thread(target=cache.get_or_render, args=(k, "png", render)) for k in (KEY, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not inside.broken


def test_a_failed_render_stores_nothing_and_releases_the_key() -> None:
    cache = PreviewCache(MemoryBlobStore())

    def fail() -> bytes:
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        cache.get_or_render(KEY, "png", fail)
    assert cache.get(KEY, "png") is None
    assert len(cache.locks) == 0
    assert cache.get_or_render(KEY, "png", lambda: b"ok") == b"ok"


def test_the_cache_holds_its_budget_by_sweeping_in_the_background(tmp_path: Path) -> None:
    # Given a budget of 64,000 bytes: a sweep every 500 bytes written, down to 57,600
    cache = PreviewCache(FileBlobStore(tmp_path), budget=Budget(64_000))
    # When 100 previews of 1,000 bytes are stored, more than the budget holds
    for index in range(100):
        cache.get_or_render(preview_key(0, index), "png", lambda: b"p" * 1000)
    # Then, once its sweeps are done, the store is within the budget and the newest previews are there
    assert cache.wait_idle(60)
    count, size = cache.usage()
    assert 0 < size <= 64_000
    assert count == size // 1000
    assert cache.get(preview_key(0, 99), "png") is not None
    # And a preview that went is drawn again when asked for
    renders: list[int] = []
    assert cache.get(preview_key(0, 0), "png") is None
    cache.get_or_render(preview_key(0, 0), "png", lambda: renders.append(1) or b"p" * 1000)
    assert renders == [1]


class HeldListing(MemoryBlobStore):
    """A store whose listings wait until the test lets them go: a slow bucket, a busy disk."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.puts = 0

    def put(self, key: str, data: bytes) -> None:
        super().put(key, data)
        self.puts += 1

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        assert self.release.wait(30)
        yield from super().scan(prefix)


def test_a_process_that_outwrites_its_sweep_waits_for_it() -> None:
    # Given a budget with a sweep every 100 bytes, and a store whose listing is held
    store = HeldListing()
    cache = PreviewCache(store, budget=Budget(25_600))
    assert Budget(25_600).sweep_every == 100
    done = threading.Event()

    def write() -> None:
        for index in range(20):
            cache.get_or_render(preview_key(0, index), "png", lambda: b"p" * 60)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    # When the writer has started a sweep (after 120 bytes) and written 200 bytes more meanwhile
    deadline = time.monotonic() + 30
    while store.puts < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Then it waits for that sweep instead of writing on
    assert store.puts == 6
    assert not done.is_set()
    store.release.set()
    writer.join(30)
    assert done.is_set()
    assert store.puts == 20
    assert cache.wait_idle(30)


def test_a_budget_of_zero_keeps_nothing(tmp_path: Path) -> None:
    cache = PreviewCache(FileBlobStore(tmp_path), budget=Budget(0))
    renders: list[int] = []
    for _ in range(2):
        assert cache.get_or_render(KEY, "png", lambda: renders.append(1) or b"image") == b"image"
    assert renders == [1, 1]
    assert cache.usage() == (0, 0)


def test_processes_writing_at_once_stay_within_the_budget(tmp_path: Path) -> None:
    # Given a store holding a production proof, and a budget of 200,000 bytes for previews
    store = FileBlobStore(tmp_path)
    store.put("proofs/AB12-CD34/7/front.png", b"proof")
    # When four processes store 150 previews of 1,000 bytes each at the same time (600,000 bytes)
    write_in_processes({"root": str(tmp_path)}, 200_000, writers=4, count=150, size=1000)
    # Then the previews left hold at most the budget, and the proof is untouched
    count, size = PreviewCache(store).usage()
    assert 0 < size <= 200_000, (count, size)
    assert store.get("proofs/AB12-CD34/7/front.png") == b"proof"


@pytest.mark.parametrize(
    ("key", "fmt"), [("../" + KEY[3:], "png"), (KEY.upper(), "png"), (KEY, "gif"), (KEY[:10], "png")]
)
def test_bad_keys_and_formats_are_refused(key: str, fmt: str) -> None:
    with pytest.raises(ValueError, match="render key|previews are"):
        PreviewCache(MemoryBlobStore()).get_or_render(key, fmt, lambda: b"")


# --- HTTP --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "webp"),  # Chrome
        ("image/webp,*/*", "webp"),  # Firefox
        ("image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5", "png"),  # old Safari
        ("*/*", "png"),
        ("image/*", "png"),
        ("image/webp;q=0", "png"),
        ("image/webp;q=0.0, image/png", "png"),
        ("image/webp; q=0.001", "webp"),
        ("image/webp;q=abc", "png"),
        ("image/webpx", "png"),
        ("", "png"),
        (None, "png"),
    ],
)
def test_negotiate_format(accept: str | None, expected: str) -> None:
    assert negotiate_format(accept) == expected


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (f'"{KEY}"', True),
        (f'W/"{KEY}"', True),
        (f'"other", "{KEY}"', True),
        (f'"other",W/"{KEY}" , "third"', True),
        ("*", True),
        ('"other"', False),
        (KEY, True),  # unquoted, as some clients send it
        (f'"{KEY[:-1]}"', False),
        ("", False),
    ],
)
def test_if_none_match(header: str, matches: bool) -> None:
    assert etag_matches(header, KEY) is matches


def test_image_response_has_strong_etag_and_immutable_caching(app: Flask) -> None:
    with app.test_request_context("/x"):
        response = image_response(b"data", "image/webp", KEY)
    assert response.status_code == 200
    assert response.data == b"data"
    assert response.mimetype == "image/webp"
    assert response.headers["ETag"] == f'"{KEY}"'
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Vary"] == "Accept"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_image_response_answers_304_on_a_match(app: Flask) -> None:
    with app.test_request_context("/x", headers={"If-None-Match": f'W/"{KEY}"'}):
        response = image_response(b"data", "image/png", KEY)
    assert response.status_code == 304
    assert response.data == b""
    # A 304 carries the same validators and caching as the 200 would (RFC 9110, 15.4.5)
    assert response.headers["ETag"] == f'"{KEY}"'
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Vary"] == "Accept"


def test_image_response_without_vary(app: Flask) -> None:
    with app.test_request_context("/x"):
        assert "Vary" not in image_response(b"d", "image/png", KEY, vary=None).headers
