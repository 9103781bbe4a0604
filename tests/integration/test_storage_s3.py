"""The S3-compatible blob store, for real, against a local S3 server (moto's, on 127.0.0.1).

Each test gets its own bucket. The app is then pointed at it by configuration alone and stores and
serves uploads, previews and production proofs through it.
"""

from __future__ import annotations

import io
import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient
from moto.server import ThreadedMotoServer
from PIL import Image

from configurator import create_app
from configurator.errors import ConfigurationError
from configurator.previews import services as previews
from configurator.previews.cache import PreviewCache
from configurator.storage import (
    FileBlobStore,
    InvalidKey,
    S3BlobStore,
    StorageUnavailable,
    blob_store,
    content_type,
)
from tests.support.admin import admin_headers
from tests.support.orders import LineSpec, make_order
from tests.support.previews import write_in_processes

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "catalog"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server for this module's tests (moto's, in a thread), and its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def _aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials in the environment, where boto3 looks; never a developer's own profile."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    """A plain boto3 client on the local server, to look at what the store wrote."""
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-1")


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"atelier-{secrets.token_hex(6)}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return name


@pytest.fixture
def store(bucket: str, s3_endpoint: str) -> S3BlobStore:
    return S3BlobStore.from_url(f"s3://{bucket}/shop/media", endpoint_url=s3_endpoint, region="eu-west-1")


def objects(s3: Any, bucket: str) -> dict[str, str]:
    """Every object of the bucket, by key, with its content type."""
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.head_object(Bucket=bucket, Key=o["Key"])["ContentType"] for o in listed}


# --- the store on its own ----------------------------------------------------------------------------


def test_put_get_and_exists_round_trip_under_the_prefix(store: S3BlobStore, s3: Any, bucket: str) -> None:
    # Given nothing stored, a key is absent
    assert store.get("previews/ab/x.png") is None
    assert not store.exists("previews/ab/x.png")
    # When it is stored, then replaced
    store.put("previews/ab/x.png", b"one")
    store.put("previews/ab/x.png", b"two")
    # Then the last bytes are read back, and the object lives under the URL's prefix
    assert store.get("previews/ab/x.png") == b"two"
    assert store.exists("previews/ab/x.png")
    assert s3.get_object(Bucket=bucket, Key="shop/media/previews/ab/x.png")["Body"].read() == b"two"
    assert list(objects(s3, bucket)) == ["shop/media/previews/ab/x.png"]


def test_delete_removes_one_object_and_a_missing_one_is_no_error(
    store: S3BlobStore, s3: Any, bucket: str
) -> None:
    store.put("uploads/a.jpg", b"a")
    store.put("uploads/b.jpg", b"b")
    store.delete("uploads/a.jpg")
    store.delete("uploads/never-stored.jpg")
    assert not store.exists("uploads/a.jpg")
    assert list(objects(s3, bucket)) == ["shop/media/uploads/b.jpg"]


def test_keys_are_distinct_objects_and_a_prefix_is_not_a_blob(store: S3BlobStore) -> None:
    store.put("uploads/a.png", b"a")
    store.put("uploads/a.png.bak", b"b")
    store.put("proofs/AB12-CD34/7/front.png", b"c")
    assert [store.get(k) for k in ("uploads/a.png", "uploads/a.png.bak", "proofs/AB12-CD34/7/front.png")] == [
        b"a",
        b"b",
        b"c",
    ]
    assert not store.exists("uploads")  # a "folder" is no object
    assert store.get("proofs/AB12-CD34") is None


def test_a_listing_holds_the_folder_under_this_stores_prefix_only(
    store: S3BlobStore, s3: Any, bucket: str
) -> None:
    store.put("previews/ab/one.png", b"1" * 10)
    store.put("previews/cd/two.webp", b"2" * 20)
    store.put("proofs/AB12-CD34/7/front.png", b"x")
    s3.put_object(Bucket=bucket, Key="shop/other/previews/ab/three.png", Body=b"another shop's")
    s3.put_object(Bucket=bucket, Key="shop/media/previewsx/four.png", Body=b"a sibling folder")
    listed = sorted(store.scan("previews"))
    assert [(blob.key, blob.size) for blob in listed] == [
        ("previews/ab/one.png", 10),
        ("previews/cd/two.webp", 20),
    ]
    last_modified = s3.head_object(Bucket=bucket, Key="shop/media/previews/ab/one.png")["LastModified"]
    assert listed[0].written == last_modified.timestamp()


def test_processes_writing_previews_at_once_keep_the_bucket_within_the_budget(
    store: S3BlobStore, bucket: str, s3_endpoint: str
) -> None:
    # Given a bucket holding a production proof, and a budget of 60,000 bytes for previews
    store.put("proofs/AB12-CD34/7/front.png", b"proof")
    # When three processes store 40 previews of 1,000 bytes each at the same time (120,000 bytes)
    credentials = {name: os.environ[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    spec = {
        "url": f"s3://{bucket}/shop/media",
        "endpoint": s3_endpoint,
        "region": "eu-west-1",
        "environment": credentials,
    }
    write_in_processes(spec, 60_000, writers=3, count=40, size=1000)
    # Then the previews left hold at most the budget, and the proof is untouched
    count, size = PreviewCache(store).usage()
    assert 0 < size <= 60_000, (count, size)
    assert store.get("proofs/AB12-CD34/7/front.png") == b"proof"


def test_empty_and_large_blobs_survive_byte_for_byte(store: S3BlobStore) -> None:
    large = secrets.token_bytes(6 * 1024 * 1024)  # above boto3's multipart threshold for uploads
    store.put("uploads/empty.png", b"")
    store.put("uploads/large.png", large)
    assert store.get("uploads/empty.png") == b""
    assert store.exists("uploads/empty.png")
    assert store.get("uploads/large.png") == large


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("previews/ab/ab12.png", "image/png"),
        ("previews/ab/ab12.webp", "image/webp"),
        ("uploads/9f.jpg", "image/jpeg"),
        ("uploads/9f.JPEG", "image/jpeg"),
        ("proofs/AB12-CD34/7/spec.pdf", "application/pdf"),
        ("exports/orders.csv-part", "application/octet-stream"),
        ("exports/README", "application/octet-stream"),
    ],
)
def test_each_object_carries_the_content_type_of_its_extension(
    store: S3BlobStore, s3: Any, bucket: str, key: str, expected: str
) -> None:
    store.put(key, b"bytes")
    assert content_type(key) == expected
    assert s3.head_object(Bucket=bucket, Key=f"shop/media/{key}")["ContentType"] == expected


@pytest.mark.parametrize("key", ["../etc/passwd", "uploads/../../x", "/abs", "a\\b", ".hidden", "a//b", ""])
def test_unsafe_keys_are_refused_before_any_request(
    store: S3BlobStore, s3: Any, bucket: str, key: str
) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, b"x")
    with pytest.raises(InvalidKey):
        store.get(key)
    with pytest.raises(InvalidKey):
        store.exists(key)
    assert objects(s3, bucket) == {}


def test_a_missing_bucket_is_an_error_not_an_absent_blob(s3_endpoint: str) -> None:
    store = S3BlobStore.from_url("s3://no-such-bucket-here", endpoint_url=s3_endpoint, region="eu-west-1")
    with pytest.raises(StorageUnavailable, match="no-such-bucket-here"):
        store.put("uploads/a.png", b"x")
    with pytest.raises(StorageUnavailable):
        store.get("uploads/a.png")


def test_an_unreachable_server_raises_an_oserror_the_proofs_task_retries() -> None:
    # A port nobody listens on: the connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = S3BlobStore.from_url("s3://atelier", endpoint_url=f"http://127.0.0.1:{port}", region="eu-west-1")
    for call in (lambda: store.put("a.png", b"x"), lambda: store.get("a.png"), lambda: store.exists("a.png")):
        with pytest.raises(StorageUnavailable) as raised:
            call()
        assert isinstance(raised.value, OSError)


# --- configuration -----------------------------------------------------------------------------------


def test_the_app_uses_a_bucket_when_configured_and_a_folder_otherwise(
    test_config: dict[str, Any], bucket: str, s3_endpoint: str
) -> None:
    folder = create_app(test_config)
    assert isinstance(blob_store(folder), FileBlobStore)
    app = create_app(
        {
            **test_config,
            "ATELIER_STORAGE_URL": f"s3://{bucket}/prod",
            "ATELIER_S3_ENDPOINT_URL": s3_endpoint,
            "ATELIER_S3_REGION": "eu-west-1",
        }
    )
    store = blob_store(app)
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == (bucket, "prod/")
    assert store.client.meta.endpoint_url == s3_endpoint
    assert store.client.meta.region_name == "eu-west-1"
    assert blob_store(app) is store


def test_the_environment_chooses_the_bucket(
    monkeypatch: pytest.MonkeyPatch, test_config: dict[str, Any], bucket: str, s3_endpoint: str
) -> None:
    monkeypatch.setenv("ATELIER_STORAGE_URL", f"s3://{bucket}")
    monkeypatch.setenv("ATELIER_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("ATELIER_S3_REGION", "eu-west-1")
    app = create_app({key: value for key, value in test_config.items() if key != "ATELIER_MEDIA_ROOT"})
    store = blob_store(app)
    assert isinstance(store, S3BlobStore)
    store.put("uploads/x.png", b"x")
    assert S3BlobStore.from_url(f"s3://{bucket}", endpoint_url=s3_endpoint).get("uploads/x.png") == b"x"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ATELIER_STORAGE_URL": "https://bucket.example/x"}, "s3://bucket/prefix"),
        ({"ATELIER_STORAGE_URL": "s3://"}, "not a valid bucket name"),
        ({"ATELIER_STORAGE_URL": "s3://Upper_Case"}, "not a valid bucket name"),
        ({"ATELIER_STORAGE_URL": "s3://atelier/../up"}, "not a valid key prefix"),
        ({"ATELIER_STORAGE_URL": "s3://key:secret@atelier"}, "s3://bucket/prefix"),
        ({"ATELIER_S3_ENDPOINT_URL": "127.0.0.1:9000"}, "http(s) URL"),
    ],
)
def test_a_storage_setting_that_cannot_work_refuses_to_start(
    test_config: dict[str, Any], settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_app({**test_config, **settings})


# --- the app, through the bucket ---------------------------------------------------------------------


@pytest.fixture
def s3_config(test_config: dict[str, Any], bucket: str, s3_endpoint: str, tmp_path: Path) -> dict[str, Any]:
    return {
        **test_config,
        "ATELIER_CATALOG": str(DEMO_CATALOG),
        "ATELIER_STORAGE_URL": f"s3://{bucket}/atelier",
        "ATELIER_S3_ENDPOINT_URL": s3_endpoint,
        "ATELIER_S3_REGION": "eu-west-1",
        "ATELIER_RATELIMITS": {"uploads": 0, "previews": 0},
    }


@pytest.fixture
def s3_client(s3_config: dict[str, Any]) -> FlaskClient:
    return create_app(s3_config).test_client()


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def test_an_upload_is_stored_in_the_bucket_and_served_from_it(
    s3_client: FlaskClient, s3_config: dict[str, Any], s3: Any, bucket: str
) -> None:
    # When a shopper uploads a photo
    created = s3_client.post("/api/v1/uploads", data=png(), content_type="image/png")
    assert created.status_code == 201, created.json
    upload_id = created.json["id"]
    # Then it is an object in the bucket, under the prefix, as a PNG, and nothing is written locally
    key = f"atelier/uploads/{upload_id}.png"
    assert objects(s3, bucket) == {key: "image/png"}
    assert not Path(s3_config["ATELIER_MEDIA_ROOT"]).exists()
    # And the app serves the object's bytes
    served = s3_client.get(created.json["links"]["self"])
    assert served.status_code == 200
    assert served.data == s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    # And once the object is gone, the upload is gone too
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3_client.get(created.json["links"]["self"]).status_code == 404


def test_a_preview_is_rendered_once_into_the_bucket_then_served_from_it(
    s3_client: FlaskClient, s3: Any, bucket: str
) -> None:
    # Given a configured mug and its preview URL
    answer = s3_client.post("/api/v1/products/engraved-mug/configure", json={"picks": {"colour": "sage"}})
    assert answer.status_code == 200, answer.json
    url = answer.json["preview"]["url"]
    # When the preview is asked for as PNG, then as WebP
    first = s3_client.get(url)
    webp = s3_client.get(url, headers={"Accept": "image/webp"})
    assert (first.status_code, webp.status_code) == (200, 200)
    assert first.data.startswith(PNG_MAGIC)
    # Then both images are objects in the bucket with their content types
    stored = objects(s3, bucket)
    assert sorted(stored.values()) == ["image/png", "image/webp"]
    assert all(key.startswith("atelier/previews/") for key in stored)
    # And a later request is answered from the bucket: replace the object, and that is what is served
    (png_key,) = (key for key, kind in stored.items() if kind == "image/png")
    s3.put_object(Bucket=bucket, Key=png_key, Body=PNG_MAGIC + b"from the bucket", ContentType="image/png")
    assert s3_client.get(url).data == PNG_MAGIC + b"from the bucket"


@pytest.fixture
def pg_s3_app(s3_config: dict[str, Any], pg_config: dict[str, Any]) -> Iterator[Flask]:
    from tests.conftest import empty_database

    app = create_app({**s3_config, "SQLALCHEMY_DATABASE_URI": pg_config["SQLALCHEMY_DATABASE_URI"]})
    yield app
    empty_database(app)


def test_the_proofs_of_a_paid_order_are_stored_in_the_bucket_and_downloaded_from_it(
    pg_s3_app: Flask, s3: Any, bucket: str
) -> None:
    # When a mug is ordered and paid (the proofs task runs in-process)
    order = make_order(pg_s3_app, [LineSpec("engraved-mug", {"engraving": "Ada", "colour": "sage"})])
    # Then its view's print file and its summary are objects in the bucket, with their content types
    stored = objects(s3, bucket)
    line = next(iter(stored)).split("/")[3]
    assert stored == {
        f"atelier/proofs/{order.number}/{line}/front.pdf": "application/pdf",
        f"atelier/proofs/{order.number}/{line}/spec.pdf": "application/pdf",
    }
    # And the workshop downloads the very bytes of the bucket through the admin API
    client = pg_s3_app.test_client()
    response = client.get(
        f"/api/v1/admin/orders/{order.number}/proofs/{line}/spec.pdf", headers=admin_headers(pg_s3_app)
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    key = f"atelier/proofs/{order.number}/{line}/spec.pdf"
    assert response.data == s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert response.data.startswith(b"%PDF-")


def test_beats_sweep_leaves_an_orders_proofs_and_its_preview_comes_back_the_same(
    pg_s3_app: Flask, s3_config: dict[str, Any], pg_config: dict[str, Any], s3: Any, bucket: str
) -> None:
    from configurator.extensions import db
    from configurator.orders.models import Order
    from configurator.previews.tasks import sweep_previews

    # Given a paid mug, its proofs in the bucket, and its preview on the order page seen once
    order = make_order(pg_s3_app, [LineSpec("engraved-mug", {"engraving": "Ada", "colour": "sage"})])
    with pg_s3_app.app_context():
        token = db.session.get_one(Order, order.id).token
        db.session.remove()
    client = pg_s3_app.test_client()
    url = client.get(f"/api/v1/orders/{token}").json["lines"][0]["preview"]["url"]
    seen = client.get(url)
    assert seen.status_code == 200
    proofs = {
        key: s3.get_object(Bucket=bucket, Key=key)["ETag"] for key in objects(s3, bucket) if "/proofs/" in key
    }
    assert len(proofs) == 2
    assert any("/previews/" in key for key in objects(s3, bucket))
    # When beat's sweep runs on a shop whose preview budget is nothing at all
    strict = create_app(
        {
            **s3_config,
            "SQLALCHEMY_DATABASE_URI": pg_config["SQLALCHEMY_DATABASE_URI"],
            "ATELIER_PREVIEW_STORE_MB": 0,
        }
    )
    with strict.app_context():
        assert sweep_previews.apply().get() == 1
    # Then the previews went and the proofs are untouched
    left = objects(s3, bucket)
    assert not any("/previews/" in key for key in left)
    assert {key: s3.get_object(Bucket=bucket, Key=key)["ETag"] for key in left if "/proofs/" in key} == proofs
    # And the order page's preview is drawn again: the same bytes under the same ETag
    again = client.get(url)
    assert (again.status_code, again.headers["ETag"], again.data) == (200, seen.headers["ETag"], seen.data)
    assert client.get(url, headers={"If-None-Match": seen.headers["ETag"]}).status_code == 304
    assert previews.cache(pg_s3_app).usage()[0] == 1
