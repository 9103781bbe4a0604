"""Blob storage: shoppers' uploads, rendered previews and production proofs, addressed by key.

One small interface (`BlobStore`) so that a folder and an object store look the same to the services:
`FileBlobStore` (a folder, the default) and `S3BlobStore` (an S3-compatible bucket, chosen by
`ATELIER_STORAGE_URL=s3://bucket/prefix`). Keys are slash-separated paths of plain names
(`uploads/abc.png`); anything that could climb out of the root (`..`, absolute paths, backslashes,
hidden names) is refused before touching a disk or the network.

A store that cannot be reached raises an `OSError` (a disk's own, or `StorageUnavailable` for a bucket),
which the proofs task retries with backoff.

`scan(prefix)` lists the blobs under a folder with their size and the time they were written, so a
cache kept in the store (rendered previews) can hold a budget on either kind of store.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
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


class BlobInfo(NamedTuple):
    """One stored blob as a listing sees it: its key, its size and when it was last written (a tuple:
    a listing makes one per blob, and sweeps list whole folders)."""

    key: str
    size: int
    written: float  # seconds since the epoch (a file's mtime, an object's Last-Modified)


class BlobStore(Protocol):
    """Bytes by key. `put` replaces atomically: a reader sees the old bytes or the new, never a part."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove a blob; removing one that is not there is not an error."""
        ...

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        """Every blob whose key starts with `prefix/`, in no particular order, read as it goes (blobs
        written or removed meanwhile may or may not be seen)."""
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

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        folders = [(check_key(prefix), str(self.path(prefix)))]
        while folders:
            key_prefix, folder = folders.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue  # a write in progress (or one a crash left behind): not a blob
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{key_prefix}/{entry.name}", entry.path))
                    continue
                try:
                    status = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed since the folder was read
                if stat.S_ISREG(status.st_mode):
                    yield BlobInfo(f"{key_prefix}/{entry.name}", status.st_size, status.st_mtime)


class MemoryBlobStore:
    """Blobs in a dict, for tests and throwaway processes."""

    def __init__(self) -> None:
        self._blobs: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self._blobs[check_key(key)] = (bytes(data), time.time())

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._blobs.get(check_key(key))
        return found[0] if found is not None else None

    def exists(self, key: str) -> bool:
        with self._lock:
            return check_key(key) in self._blobs

    def delete(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(check_key(key), None)

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        start = check_key(prefix) + "/"
        with self._lock:
            found = [BlobInfo(k, len(d), t) for k, (d, t) in self._blobs.items() if k.startswith(start)]
        yield from found


# What a blob is served as, by its key's extension: every kind of file the app stores is listed.
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def content_type(key: str) -> str:
    """The media type of the blob at `key`, from its extension.

    >>> content_type("proofs/AB12-CD34/7/spec.pdf"), content_type("previews/ab/ab12.webp")
    ('application/pdf', 'image/webp')
    """
    name = key.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, DEFAULT_CONTENT_TYPE)


class StorageUnavailable(OSError):
    """The object store could not be reached, or refused a request (credentials, bucket, outage)."""


# S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens (underscores for older
# S3-compatible servers), starting and ending with a letter or digit.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")
# Answers that mean "no such object" (GET says NoSuchKey; HEAD has no body, only its status).
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def parse_storage_url(url: str) -> tuple[str, str]:
    """The bucket and key prefix of an `s3://bucket/prefix` URL; `ValueError` when it is not one.

    >>> parse_storage_url("s3://atelier-media/shop/prod")
    ('atelier-media', 'shop/prod/')
    >>> parse_storage_url("s3://atelier-media")
    ('atelier-media', '')
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"a storage URL reads like s3://bucket/prefix, not {url!r}")
    if not _BUCKET.fullmatch(parts.netloc):
        raise ValueError(f"{parts.netloc!r} is not a valid bucket name (in {url!r})")
    prefix = parts.path.strip("/")
    if prefix:
        try:
            check_key(prefix)
        except InvalidKey:
            raise ValueError(f"{prefix!r} is not a valid key prefix (in {url!r})") from None
    return parts.netloc, f"{prefix}/" if prefix else ""


class S3BlobStore:
    """Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...), under a key prefix.

    A PUT replaces an object atomically, as `BlobStore` asks. Each object carries the content type of
    its extension. Credentials come from boto3's usual chain (`AWS_ACCESS_KEY_ID` and
    `AWS_SECRET_ACCESS_KEY`, a profile, or the machine's role), never from the app's configuration.
    """

    def __init__(self, bucket: str, prefix: str = "", *, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.client = client

    @classmethod
    def from_url(cls, url: str, *, endpoint_url: str | None = None, region: str | None = None) -> S3BlobStore:
        """A store on the bucket and prefix of `url` (`s3://bucket/prefix`), through a new client."""
        bucket, prefix = parse_storage_url(url)
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # S3-compatible servers other than AWS expect bucket names in the path.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            # Checksums only where S3 requires them: several S3-compatible servers refuse the others.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config
        )
        return cls(bucket, prefix, client=client)

    def object_key(self, key: str) -> str:
        """The object key of blob `key` in the bucket (the key is checked first)."""
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        name = self.object_key(key)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=name, Body=bytes(data), ContentType=content_type(key)
            )
        except (BotoCoreError, ClientError) as error:
            raise self._unavailable("store", name, error) from error

    def get(self, key: str) -> bytes | None:
        name = self.object_key(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=name)
            with answer["Body"] as body:
                return bytes(body.read())
        except ClientError as error:
            if _error_code(error) in _MISSING:
                return None
            raise self._unavailable("read", name, error) from error
        except BotoCoreError as error:
            raise self._unavailable("read", name, error) from error

    def exists(self, key: str) -> bool:
        name = self.object_key(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _error_code(error) in _MISSING:
                return False
            raise self._unavailable("look up", name, error) from error
        except BotoCoreError as error:
            raise self._unavailable("look up", name, error) from error
        return True

    def delete(self, key: str) -> None:
        name = self.object_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)  # S3 answers 204 for a missing key too
        except (BotoCoreError, ClientError) as error:
            raise self._unavailable("remove", name, error) from error

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        folder = self.object_key(prefix) + "/"
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder)
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    key = item["Key"][len(self.prefix) :]
                    yield BlobInfo(key, int(item["Size"]), item["LastModified"].timestamp())
        except (BotoCoreError, ClientError) as error:
            raise self._unavailable("list", folder, error) from error

    def _unavailable(self, doing: str, name: str, error: Exception) -> StorageUnavailable:
        return StorageUnavailable(f"could not {doing} s3://{self.bucket}/{name}: {error}")


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


_create_lock = threading.Lock()


def media_root(app: Flask) -> Path:
    """The folder the app keeps blobs in: ATELIER_MEDIA_ROOT, or `media` in Flask's instance folder."""
    configured = app.config.get("ATELIER_MEDIA_ROOT") or ""
    return Path(configured) if configured else Path(app.instance_path) / "media"


def make_blob_store(config: Mapping[str, Any], media: Path) -> BlobStore:
    """The store the configuration asks for: a bucket with ATELIER_STORAGE_URL, else the `media` folder."""
    url = config.get("ATELIER_STORAGE_URL") or ""
    if url:
        return S3BlobStore.from_url(
            url, endpoint_url=config.get("ATELIER_S3_ENDPOINT_URL"), region=config.get("ATELIER_S3_REGION")
        )
    return FileBlobStore(media)


def blob_store(app: Flask | None = None) -> BlobStore:
    """The app's blob store, created on first use (nothing is touched on disk or the network until then)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get(EXTENSION)
    if store is None:
        with _create_lock:
            store = app.extensions.get(EXTENSION)
            if store is None:
                store = app.extensions[EXTENSION] = make_blob_store(app.config, media_root(app))
    return store
