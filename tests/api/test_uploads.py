"""Shoppers' uploads through HTTP: what the bytes are decides, metadata never survives, bombs and
broken files are refused, and what is stored is served with exact, immutable caching."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import ExifTags, Image, ImageFile

from configurator.uploads.quality import PrintZone, print_quality_warning

UPLOADS = "/api/v1/uploads"


@pytest.fixture
def test_config(test_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    # Each test stores into its own folder, and the rate limit stays out of the way unless asked for.
    return {
        **test_config,
        "ATELIER_MEDIA_ROOT": str(tmp_path / "media"),
        "ATELIER_RATELIMITS": {"uploads": 0},
    }


# --- building test files -----------------------------------------------------------------------------


def two_colour(size: tuple[int, int] = (60, 20), mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: which way is up is visible in the pixels."""
    image = Image.new(mode, size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    return image


def jpeg_with_metadata(orientation: int | None = None, size: tuple[int, int] = (60, 20)) -> bytes:
    """A JPEG as a phone makes it: GPS position, camera make and serial, XMP, a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    exif[ExifTags.Base.BodySerialNumber] = "SN-123456789"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (2.0, 17.0, 40.0),
    }
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-xmp</rdf:RDF></x:xmpmeta>'
    out = io.BytesIO()
    two_colour(size).save(out, "JPEG", exif=exif, xmp=xmp, comment=b"<script>alert(1)</script>")
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (32, 24), mode: str = "RGB", **params: Any) -> bytes:
    out = io.BytesIO()
    two_colour(size, mode).save(out, "PNG", **params)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares `width`×`height` pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def post_file(client: FlaskClient, data: bytes, name: str = "photo.jpg", mimetype: str = "image/jpeg") -> Any:
    return client.post(
        UPLOADS, data={"file": (io.BytesIO(data), name, mimetype)}, content_type="multipart/form-data"
    )


def stored(client: FlaskClient, response: Any) -> bytes:
    assert response.status_code == 201, response.json
    fetched = client.get(response.json["links"]["self"])
    assert fetched.status_code == 200
    return bytes(fetched.data)


# --- metadata ----------------------------------------------------------------------------------------


def test_a_phone_jpeg_is_stored_without_any_metadata(client: FlaskClient) -> None:
    # Given a JPEG carrying a GPS position, the camera's serial, XMP and a comment
    original = jpeg_with_metadata()
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "xmp" in before.info

    # When it is uploaded
    response = post_file(client, original)

    # Then it is kept as a JPEG, and none of that survived the re-encoding
    assert response.json["format"] == "jpeg"
    data = stored(client, response)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    assert "xmp" not in image.info
    assert "comment" not in image.info
    for marker in (b"Exif", b"GPS", b"PhoneMaker", b"SN-123456789", b"secret-xmp", b"<script"):
        assert marker not in data


def test_png_text_chunks_and_exif_are_dropped(client: FlaskClient) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 rue de Rivoli")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    data = stored(client, post_file(client, png_bytes(pnginfo=info, exif=exif), "p.png", "image/png"))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.text == {}
    assert len(image.getexif()) == 0
    assert b"rue de Rivoli" not in data
    assert b"PhoneMaker" not in data


def test_exif_orientation_is_applied_to_the_pixels(client: FlaskClient) -> None:
    # Given a 60×20 photo whose EXIF says "rotate 90° clockwise to display" (orientation 6)
    response = post_file(client, jpeg_with_metadata(orientation=6))

    # Then the stored image is upright: 20×60, the photo's left (red) half now on top
    assert (response.json["width"], response.json["height"]) == (20, 60)
    image = Image.open(io.BytesIO(stored(client, response))).convert("RGB")
    assert image.size == (20, 60)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 55))
    assert top[0] > 200
    assert top[2] < 60
    assert bottom[2] > 200
    assert bottom[0] < 60


def test_transparency_survives_and_webp_becomes_png(client: FlaskClient) -> None:
    out = io.BytesIO()
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    image.save(out, "WEBP", lossless=True)
    response = post_file(client, out.getvalue(), "sticker.webp", "image/webp")
    assert response.json["format"] == "png"
    back = Image.open(io.BytesIO(stored(client, response)))
    assert back.mode == "RGBA"
    assert back.getpixel((5, 5))[3] == 0


def test_a_colour_profile_is_applied_not_copied(client: FlaskClient) -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    two_colour().save(out, "JPEG", icc_profile=profile)
    data = stored(client, post_file(client, out.getvalue()))
    image = Image.open(io.BytesIO(data))
    assert "icc_profile" not in image.info
    assert image.convert("RGB").getpixel((5, 5))[0] > 200


def test_a_cmyk_jpeg_is_stored_as_rgb(client: FlaskClient) -> None:
    out = io.BytesIO()
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(out, "JPEG")
    image = Image.open(io.BytesIO(stored(client, post_file(client, out.getvalue()))))
    assert image.mode == "RGB"
    assert image.getpixel((8, 8))[0] > 200


def test_a_multi_picture_jpeg_keeps_its_first_picture(client: FlaskClient) -> None:
    out = io.BytesIO()
    two_colour((40, 30)).save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (8, 8))])
    response = post_file(client, out.getvalue())
    assert (response.json["format"], response.json["width"], response.json["height"]) == ("jpeg", 40, 30)
    assert getattr(Image.open(io.BytesIO(stored(client, response))), "n_frames", 1) == 1


# --- what the bytes are ------------------------------------------------------------------------------


def test_the_bytes_decide_not_the_name_or_content_type(client: FlaskClient) -> None:
    # A PNG named .jpg and sent as image/gif is a PNG
    response = post_file(client, png_bytes(), "holiday.jpg", "image/gif")
    assert response.status_code == 201
    assert response.json["format"] == "png"
    assert client.get(response.json["links"]["self"]).mimetype == "image/png"


def test_a_raw_body_is_accepted_whatever_its_content_type(client: FlaskClient) -> None:
    for content_type in ("application/octet-stream", "text/plain", "application/x-www-form-urlencoded"):
        response = client.post(UPLOADS, data=png_bytes(), content_type=content_type)
        assert response.status_code == 201, (content_type, response.json)
        assert (response.json["width"], response.json["height"]) == (32, 24)


POLYGLOTS = {
    "gif-javascript": b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=1;alert(document.domain)//",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "svg-with-bom": b'\xef\xbb\xbf  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32,
    "zip": b"PK\x03\x04" + b"\x00" * 60,
    "text": b"just some text, definitely not an image",
}


@pytest.mark.parametrize("name", sorted(POLYGLOTS))
def test_anything_but_png_jpeg_webp_is_refused_by_its_bytes(client: FlaskClient, name: str) -> None:
    response = post_file(client, POLYGLOTS[name], "innocent.png", "image/png")
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "unsupported-image"
    assert "PNG, JPEG or WebP" in response.json["detail"]


def test_bytes_hidden_after_the_image_are_not_kept(client: FlaskClient) -> None:
    # A valid PNG with an HTML page appended after IEND (a classic polyglot) is kept as its pixels only
    payload = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    data = stored(client, post_file(client, payload, "x.png", "image/png"))
    assert b"<script" not in data
    assert b"<html" not in data


def test_formats_can_be_narrowed_by_configuration(app: Flask) -> None:
    app.config["ATELIER_UPLOAD_FORMATS"] = ("JPEG",)
    response = post_file(app.test_client(), png_bytes(), "x.png", "image/png")
    assert response.status_code == 415
    assert "This file is a PNG: please upload a JPEG." == response.json["detail"]


# --- bombs, broken and oversized files ---------------------------------------------------------------


def test_a_decompression_bomb_is_refused_before_decoding(client: FlaskClient, monkeypatch: Any) -> None:
    # Given a 200-byte PNG that declares 30000×30000 pixels (2.7 GB once decoded)
    bomb = png_header_only(30_000, 30_000)
    assert len(bomb) < 300
    monkeypatch.setattr(ImageFile.ImageFile, "load", _never_decode)

    # When it is uploaded, it is refused at once, without a pixel being decoded
    response = post_file(client, bomb, "bomb.png", "image/png")
    assert response.status_code == 422
    assert response.json["code"] == "image-too-large"
    assert "megapixels" in response.json["detail"]


def test_more_pixels_than_the_cap_are_refused_before_decoding(client: FlaskClient, monkeypatch: Any) -> None:
    # 7000×7000 is within Pillow's own limit but above ours (40 MP): the header alone decides
    monkeypatch.setattr(ImageFile.ImageFile, "load", _never_decode)
    response = post_file(client, png_header_only(7000, 7000), "big.png", "image/png")
    assert response.status_code == 422
    assert response.json["code"] == "image-too-large"
    assert "7000×7000" in response.json["detail"]


def _never_decode(self: Any) -> Any:
    raise AssertionError("a refused image must not be decoded")


@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_a_truncated_file_is_refused(client: FlaskClient, kind: str) -> None:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(out, kind.upper())
    whole = out.getvalue()
    response = post_file(client, whole[: len(whole) // 2], f"cut.{kind}", f"image/{kind}")
    assert response.status_code == 422
    assert response.json["code"] == "image-unreadable"
    assert "incomplete or damaged" in response.json["detail"]


def test_a_corrupt_header_is_refused(client: FlaskClient) -> None:
    response = post_file(client, b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 10, "x.png", "image/png")
    assert response.status_code == 422
    assert response.json["code"] == "image-unreadable"


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_animated_images_are_refused(client: FlaskClient, kind: str) -> None:
    out = io.BytesIO()
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    frames[0].save(out, kind, save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = post_file(client, out.getvalue(), "anim", "image/png")
    assert response.status_code == 422
    assert "Animated" in response.json["detail"]


def test_an_empty_upload_is_refused(client: FlaskClient) -> None:
    response = client.post(UPLOADS, data=b"", content_type="image/png")
    assert response.status_code == 422
    assert response.json["detail"] == "The file is empty."


def test_a_form_without_the_file_field_says_which_field(client: FlaskClient) -> None:
    response = client.post(
        UPLOADS, data={"photo": (io.BytesIO(png_bytes()), "x.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "file"


@pytest.mark.parametrize("multipart", [True, False])
def test_an_oversized_body_is_refused_with_413(app: Flask, multipart: bool) -> None:
    app.config["ATELIER_UPLOAD_MAX_BYTES"] = 10_000
    client = app.test_client()
    big = png_bytes((400, 400), "RGB", compress_level=0)
    assert len(big) > 10_000
    if multipart:
        response = post_file(client, big, "big.png", "image/png")
    else:
        response = client.post(UPLOADS, data=big, content_type="image/png")
    assert response.status_code == 413
    assert response.json["code"] == "upload-too-large"


def test_a_body_without_content_length_is_cut_off_at_the_cap(app: Flask) -> None:
    # A chunked body has no Content-Length to refuse up front: reading stops at the cap instead
    app.config["ATELIER_UPLOAD_MAX_BYTES"] = 10_000
    response = app.test_client().post(
        UPLOADS,
        input_stream=io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200_000),
        content_type="image/png",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413


# --- ids and serving ---------------------------------------------------------------------------------


def test_ids_are_unguessable_and_enumeration_finds_nothing(client: FlaskClient) -> None:
    ids = {post_file(client, png_bytes()).json["id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(len(i) >= 24 for i in ids)
    for probe in ("1", "2", "0", "AAAAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fetc%2Fpasswd", "a" * 33, "x%00y"):
        response = client.get(f"{UPLOADS}/{probe}")
        assert response.status_code == 404, probe
        assert response.mimetype == "application/problem+json"


def test_a_stored_image_is_served_with_exact_immutable_caching(client: FlaskClient) -> None:
    upload = post_file(client, jpeg_with_metadata()).json
    response = client.get(upload["links"]["self"])
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # A strong ETag: the digest of exactly these bytes
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    assert len(response.data) == upload["bytes"]


@pytest.mark.parametrize("form", ["{tag}", "W/{tag}", '"other", {tag}', "*"])
def test_if_none_match_answers_304(client: FlaskClient, form: str) -> None:
    link = post_file(client, png_bytes()).json["links"]["self"]
    tag = client.get(link).headers["ETag"]
    response = client.get(link, headers={"If-None-Match": form.format(tag=tag)})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == tag


def test_a_different_etag_gets_the_image(client: FlaskClient) -> None:
    link = post_file(client, png_bytes()).json["links"]["self"]
    assert client.get(link, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_the_blob_lives_under_the_media_root(app: Flask, client: FlaskClient) -> None:
    upload = post_file(client, png_bytes()).json
    path = Path(app.config["ATELIER_MEDIA_ROOT"]) / "uploads" / f"{upload['id']}.png"
    assert path.read_bytes() == client.get(upload["links"]["self"]).data


# --- print quality -----------------------------------------------------------------------------------


def test_print_quality_warning_for_a_small_photo() -> None:
    zone = PrintZone(width_mm=200, height_mm=150)
    assert print_quality_warning(640, 480, zone) == (
        "This photo is 640×480 px; for a 20 cm print it needs at least 2,362 px wide (300 dpi). "
        "It will look blurry."
    )
    # Exactly enough pixels is enough; a lower minimum relaxes it
    assert print_quality_warning(2362, 1772, zone) is None
    assert print_quality_warning(1200, 900, zone, min_dpi=150) is None
    # A zone given in production pixels (at 300 dpi) reads the same
    assert print_quality_warning(640, 480, PrintZone.from_pixels(2362, 1772, 300)) is not None


def test_print_quality_names_the_axis_that_decides() -> None:
    # A panorama in a square zone: cover fills the height, so height is what is short
    warning = print_quality_warning(3000, 1000, PrintZone(100, 100))
    assert warning is not None
    assert "1,181 px tall" in warning
    assert "10 cm" in warning
