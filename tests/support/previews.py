"""Writers of previews in processes of their own, as several gunicorn workers write to one store."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from typing import Any

from configurator.previews.cache import Budget, PreviewCache
from configurator.storage import BlobStore, FileBlobStore, S3BlobStore


def open_store(spec: dict[str, Any]) -> BlobStore:
    """A store from a picklable description: {"root": folder} or {"url", "endpoint", "region"}, with
    the `environment` its process needs (a fork server keeps the one it started with)."""
    os.environ.update(spec.get("environment", {}))
    if "root" in spec:
        return FileBlobStore(spec["root"])
    return S3BlobStore.from_url(spec["url"], endpoint_url=spec["endpoint"], region=spec["region"])


def preview_key(writer: int, index: int) -> str:
    return hashlib.sha256(f"writer {writer}, preview {index}".encode()).hexdigest()


def write_previews(spec: dict[str, Any], max_bytes: int, writer: int, count: int, size: int) -> None:
    """Store `count` distinct previews of `size` bytes through a cache of this process's own, and wait
    for its last sweep (a worker that stays up would finish it too)."""
    cache = PreviewCache(open_store(spec), budget=Budget(max_bytes))
    for index in range(count):
        cache.get_or_render(preview_key(writer, index), "png", lambda: b"p" * size)
    if not cache.wait_idle(120):
        raise RuntimeError("the last sweep did not finish")


def write_in_processes(spec: dict[str, Any], max_bytes: int, writers: int, count: int, size: int) -> None:
    """`writers` processes at once, each as above. They are forked from a fork server that imported the
    app once (a fresh import of it takes seconds per process) and started no thread."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    processes = [
        context.Process(target=write_previews, args=(spec, max_bytes, writer, count, size))
        for writer in range(writers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(300)
        assert process.exitcode == 0, f"a writer failed (exit code {process.exitcode})"
