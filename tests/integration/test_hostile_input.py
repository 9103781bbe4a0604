"""Hostile input at the edge: oversized bodies, huge texts, invisible characters and image bombs are
refused cleanly (a problem document or a diagnostic), never with a 500 or a crash."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageFile

from configurator.cli import main

CONFIGURE = "/api/v1/products/mug/configure"


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
    ("text", "named"),
    [
        ("Ann\u202ea", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ann\u2066a", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("Ann\u200ba", "U+200B ZERO WIDTH SPACE"),
        ("Ann\ufeffa", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ],
)
def test_invisible_and_direction_characters_in_a_pick_are_named(
    client: FlaskClient, text: str, named: str
) -> None:
    response = client.post(CONFIGURE, json={"picks": {"engraving": text}})
    assert response.status_code == 200
    assert response.json["valid"] is False
    (violation,) = response.json["violations"]
    assert violation["attributes"] == ["engraving"]
    assert named in violation["message"]
    assert "at character 4" in violation["message"]


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
