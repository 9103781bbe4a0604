"""Hostile input at the edge: oversized bodies, huge texts, invisible characters and image bombs are
refused cleanly (a problem document or a diagnostic), never with a 500 or a crash."""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import signal
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageFile

from configurator.cli import main
from configurator.previews.services import MAX_ENCODED_DESIGN
from rules import unicode
from tests.conftest import TEST_CATALOG
from tests.support.services import free_ports_below_ephemeral_range
from tests.support.waiting import wait_until

CONFIGURE = "/api/v1/products/mug/configure"
REPO = Path(__file__).parents[2]
ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}


def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: its size in bytes is about width × height × 3."""
    pixels = random.Random(7).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "PNG", compress_level=1)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG declaring `width`×`height` pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


class CountingStream(io.BytesIO):
    """A request body that counts the bytes the app reads from it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.taken += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = super().readinto(buffer)
        self.taken += count
        return count


# --- request bodies ---------------------------------------------------------------------------------


def test_a_two_megabyte_json_body_is_a_413_problem(client: FlaskClient) -> None:
    # Given a JSON body of 2 MB (one huge text pick)
    body = b'{"picks": {"engraving": "' + b"x" * 2_000_000 + b'"}}'

    # When it is sent to a JSON endpoint
    stream = CountingStream(body)
    response = client.post(
        CONFIGURE, input_stream=stream, content_length=len(body), content_type="application/json"
    )

    # Then it is refused by its declared size, unread, as a problem document
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "request-too-large"
    assert response.json["detail"] == "The request body is too large: this endpoint accepts at most 1 MB."
    assert stream.taken == 0


def test_the_body_limit_is_the_default_configuration(app: Flask) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_a_100_kb_text_pick_is_a_clean_422(client: FlaskClient) -> None:
    response = client.post(CONFIGURE, json={"picks": {"engraving": "x" * 100_000}})
    assert response.status_code == 422
    assert response.json["code"] == "validation-failed"
    assert response.json["errors"][0]["field"] == "picks.engraving"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Ann\u202ea", "an invisible text-direction mark"),
        ("Ann\u2066a", "an invisible text-direction mark"),
        ("Ann\u200ba", "an invisible character"),
        ("Ann\ufeffa", "an invisible character"),
    ],
)
def test_invisible_and_direction_characters_in_a_pick_are_said_in_words_and_placed(
    client: FlaskClient, text: str, said: str
) -> None:
    response = client.post(CONFIGURE, json={"picks": {"engraving": text}})
    assert response.status_code == 200
    assert response.json["valid"] is False
    (violation,) = response.json["violations"]
    assert violation["attributes"] == ["engraving"]
    assert f"{said} after “Ann”" in violation["message"]
    assert "U+" not in violation["message"]


# --- text no database stores, on PostgreSQL ----------------------------------------------------------

UNASSIGNED = next(chr(c) for c in range(0x1F000, 0x110000) if unicode.category(chr(c)) == "Cn")


@pytest.mark.parametrize(
    ("written", "named"),
    [("\\ud83d", "U+D83D (a lone surrogate)"), (UNASSIGNED, None)],
    ids=["lone-surrogate", "unassigned"],
)
def test_text_no_database_stores_is_a_422_before_postgresql(
    pg_client: FlaskClient, written: str, named: str | None
) -> None:
    # Given a lone surrogate written as a JSON escape (as a broken client sends it), or a character
    # no Unicode version has assigned yet (as a client sending garbage does)
    cart = pg_client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]
    design = '{"product": "mug", "picks": {"engraving": "Sam ' + written + '"}}'
    contact = json.dumps({"email": "a@example.org", "name": "Ann", "address": ADDRESS}).replace(
        '"Ann"', '"Ann ' + written + '"'
    )

    # When it is saved in a design and in a cart's contact details
    saved = pg_client.post("/api/v1/designs", data=design, content_type="application/json")
    put = pg_client.put(f"/api/v1/carts/{cart}/contact", data=contact, content_type="application/json")

    # Then both are refused naming the field, and nothing was written
    for response, field in ((saved, "picks.engraving"), (put, "name")):
        assert response.status_code == 422, response.get_data(as_text=True)
        (error,) = response.get_json()["errors"]
        assert (error["field"], error["code"]) == (field, "invalid-text")
        assert error["technical_detail"] == (
            named or f"U+{ord(UNASSIGNED):04X} (unassigned in Unicode {unicode.UNICODE_VERSION})"
        )
    assert pg_client.get(f"/api/v1/carts/{cart}").get_json()["contact"]["name"] is None
    assert pg_client.post("/api/v1/designs", json={"product": "mug", "picks": {}}).status_code == 201


def test_an_upload_keeps_its_own_larger_limit(client: FlaskClient) -> None:
    # Given a photo of about 2 MB, over the JSON endpoints' limit and under the uploads' 15 MB
    photo = noise_png(900, 800)
    assert 1024 * 1024 < len(photo) < 15 * 1024 * 1024

    response = client.post("/api/v1/uploads", data=photo, content_type="image/png")

    assert response.status_code == 201, response.get_json()
    assert (response.json["width"], response.json["height"]) == (900, 800)


def test_an_upload_over_its_own_limit_is_refused(client: FlaskClient) -> None:
    response = client.post("/api/v1/uploads", data=b"\0" * (16 * 1024 * 1024), content_type="image/png")
    assert response.status_code == 413
    assert response.json["code"] == "upload-too-large"


# --- catalog assets ---------------------------------------------------------------------------------

BRAND = 'brand: b\nlabel: B\ncurrencies: [EUR]\npalette: {white: "#FFFFFF", ink: "#1B1F3B"}\n'
PRODUCT = """\
product: cup
label: Cup
price: {EUR: "10.00"}
attributes:
  colour: {type: colour, options: [white, ink], default: white}
views:
  front:
    size: [200, 100]
    layers:
      - image: assets/base.png
      - tint: {mask: assets/mask.png, colour: colour}
"""


@pytest.mark.parametrize("side", [5_000, 10_000, 30_000])
def test_a_bomb_png_asset_is_a_clean_rules_check_error(
    tmp_path: Path, side: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a catalog whose view image is a 200-byte PNG declaring side×side pixels
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "cup.yaml").write_text(PRODUCT, encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "base.png").write_bytes(png_header_only(side, side))
    Image.new("L", (200, 100), 255).save(tmp_path / "assets" / "mask.png")
    decoded: list[tuple[int, int]] = []  # the size of every image whose pixels were decoded
    load = ImageFile.ImageFile.load

    def counted(image: ImageFile.ImageFile) -> Any:
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)

    # When the merchant checks it
    result = CliRunner().invoke(main, ["rules", "check", str(tmp_path)])

    # Then it is one error on the image, found without decoding it (only the view-sized mask was)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "error: the image 'assets/base.png' of layer 1 of view 'front' does not open" in result.output
    assert "1 error" in result.output
    assert all(width * height <= 200 * 100 for width, height in decoded), decoded


# --- the HTTP server in front of the app ------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by a real gunicorn with the project's gunicorn.conf.py: its host and port."""
    folder = tmp_path_factory.mktemp("gunicorn")
    [port] = free_ports_below_ephemeral_range(1)  # out of reach of outgoing connections meanwhile
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    environment.update(
        {
            "ATELIER_BIND": f"127.0.0.1:{port}",
            "ATELIER_WEB_WORKERS": "1",
            "ATELIER_DATABASE_URL": f"sqlite:///{folder / 'atelier.sqlite3'}",
            "ATELIER_CATALOG": str(TEST_CATALOG),
            "ATELIER_MEDIA_ROOT": str(folder / "media"),
        }
    )
    log = folder / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:

        def healthy() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                return request(f"127.0.0.1:{port}", "GET", "/healthz")[0] == 200
            except OSError:
                return False

        # A wait: the worker builds the app, slowly on a busy machine
        wait_until(healthy, 180, what=log.read_text)
        yield f"127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def request(
    server: str, method: str, target: str, headers: list[tuple[str, str]] = (), body: bytes | None = None
) -> tuple[int, str, Any]:
    """Status, content type and body (JSON when it is JSON) of one request, sent as it is given."""
    connection = http.client.HTTPConnection(server, timeout=60)  # a deadline for a busy machine
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", server)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        data = answer.read()
        kind = answer.headers.get("Content-Type", "")
        return answer.status, kind, json.loads(data) if "json" in kind else data.decode("latin-1")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("target", "headers", "status", "code"),
    [
        ("/api/v1/products?q=" + "a" * 9_000, [], 414, "uri-too-long"),
        ("/api/v1/products", [("X-Long", "a" * 9_000)], 431, "headers-too-large"),
        ("/api/v1/products", [(f"X-Header-{n}", "1") for n in range(101)], 431, "headers-too-large"),
    ],
    ids=["request-line", "one-long-header", "101-headers"],
)
def test_gunicorn_refuses_what_is_past_its_limits_with_a_problem_document(
    gunicorn: str, target: str, headers: list[tuple[str, str]], status: int, code: str
) -> None:
    answer_status, kind, body = request(gunicorn, "GET", target, headers)
    assert answer_status == status
    assert kind == "application/problem+json", body
    assert body["type"] == f"urn:atelier:problem:{code}"
    assert (body["status"], body["code"]) == (status, code)
    assert "at most" in body["detail"]
    assert "a" * 100 not in json.dumps(body)  # the refused input is never echoed


def test_the_longest_preview_url_the_schema_allows_reaches_the_app(gunicorn: str) -> None:
    # Given a preview URL with the longest design the schema takes and a 400-character view key
    path = "/api/v1/previews/2147483647/" + "v" * 400
    longest = f"{path}?design={'A' * MAX_ENCODED_DESIGN}&size=production"

    # Then the app answers it (no such version), not the server in front of it
    status, kind, body = request(gunicorn, "GET", longest)
    assert (status, kind) == (404, "application/problem+json"), body
    assert body["instance"] == path
    # And one character more is the schema's refusal, said by the app
    status, _, body = request(gunicorn, "GET", longest.replace("design=", "design=A"))
    assert (status, body["code"], body["errors"][0]["field"]) == (422, "validation-failed", "design")


def test_a_deep_json_body_through_gunicorn_is_a_400_problem(gunicorn: str) -> None:
    deep = b'{"picks": ' + b"[" * 2_000 + b"]" * 2_000 + b"}"
    status, kind, body = request(gunicorn, "POST", CONFIGURE, body=deep)
    assert (status, kind, body["code"]) == (400, "application/problem+json", "json-too-complex")
