"""Publishing rule sets through the admin API: new versions for changed products only, diagnostics
with file:line:column for files that do not load, and the saved designs a change would break."""

from __future__ import annotations

import base64
import json
import random
import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.admin import rulesets
from configurator.publishing import impact
from tests.conftest import TEST_CATALOG
from tests.support.admin import admin_headers
from tests.support.catalogs import BAD_IMAGES, POSTER_IMAGE, POSTER_VIEW, png, rebranded
from tests.support.checkout import cart_total, ready_cart

RULE_SETS = "/api/v1/admin/rule-sets"
GOLD_SOLD_OUT = """
  - id: gold-sold-out
    rule: colour != gold
    message: "Gold glaze is sold out."
"""


@pytest.fixture
def headers(pg_app: Flask) -> dict[str, str]:
    return admin_headers(pg_app, "catalog:read", "catalog:publish")


@pytest.fixture
def files() -> dict[str, str]:
    """The test catalog, as already published by the pg_app fixture."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(TEST_CATALOG.iterdir())}


def outcomes(body: dict[str, Any]) -> dict[str, str]:
    return {p["product_key"]: p["outcome"] for p in body["products"]}


def test_publishing_the_live_files_again_changes_nothing(
    pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    before = pg_client.get(RULE_SETS, headers=headers).json
    response = pg_client.post(RULE_SETS, json={"files": files}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["published"] is True
    assert outcomes(response.json) == {"mug": "unchanged", "poster": "unchanged"}
    assert pg_client.get(RULE_SETS, headers=headers).json == before


def test_a_changed_product_gets_a_new_live_version(
    pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    # Given a new base price for the mug
    files["mug.yaml"] = files["mug.yaml"].replace('price: {EUR: "14.00"', 'price: {EUR: "15.00"')
    # When it is published
    response = pg_client.post(RULE_SETS, json={"files": files}, headers=headers)
    # Then only the mug has a new version, and it is live
    assert response.status_code == 200, response.json
    assert outcomes(response.json) == {"mug": "created", "poster": "unchanged"}
    mug = next(p for p in response.json["products"] if p["product_key"] == "mug")
    assert mug["version_id"] != mug["previous_version_id"]
    listed = pg_client.get(RULE_SETS, query_string={"product": "mug"}, headers=headers).json
    assert listed["total"] == 2
    newest, older = listed["items"]
    assert (newest["id"], newest["live"], older["live"]) == (mug["version_id"], True, False)
    assert newest["content_hash"] == mug["content_hash"]
    assert newest["design_count"].isdigit()
    # And publishing the same files again is a no-op
    again = pg_client.post(RULE_SETS, json={"files": files}, headers=headers)
    assert outcomes(again.json) == {"mug": "unchanged", "poster": "unchanged"}
    assert pg_client.get(RULE_SETS, query_string={"product": "mug"}, headers=headers).json["total"] == 2


def test_republishing_old_files_reactivates_their_version(
    pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    changed = {**files, "mug.yaml": files["mug.yaml"].replace('"14.00"', '"15.00"')}
    pg_client.post(RULE_SETS, json={"files": changed}, headers=headers)
    rollback = pg_client.post(RULE_SETS, json={"files": files}, headers=headers)
    assert outcomes(rollback.json) == {"mug": "reactivated", "poster": "unchanged"}


def test_broken_files_are_refused_with_file_line_and_column(
    pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    files["mug.yaml"] = files["mug.yaml"].replace("material == enamel ->", "materail == enamel ->")
    files["poster.yaml"] = files["poster.yaml"].replace("label: Poster", "label: [Poster")
    for url in (RULE_SETS, f"{RULE_SETS}/check"):
        response = pg_client.post(url, json={"files": files}, headers=headers)
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
        problem = response.json
        assert problem["code"] == "catalog-invalid"
        by_file = {e["file"]: e for e in problem["errors"]}
        assert set(by_file) == {"mug.yaml", "poster.yaml"}
        mug = by_file["mug.yaml"]
        assert re.match(r"^mug\.yaml:\d+:\d+: ", mug["detail"])
        assert "materail" in mug["detail"]
        assert mug["line"] > 1
        assert mug["column"] >= 1
        assert mug["hint"]  # "did you mean material?"
        assert mug["field"] == "files.mug.yaml"
        assert "atelier-upload" not in str(problem)  # server paths never leak
    # Nothing was published.
    assert pg_client.get(RULE_SETS, headers=headers).json["total"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda f: {**f, "../brand.yaml": "x"}, "files.../brand.yaml"),
        (lambda f: {**f, "sub/mug.yaml": "x"}, "files.sub/mug.yaml"),
        (lambda f: {**f, "notes.txt": "x"}, "files.notes.txt"),
        (lambda f: {k: v for k, v in f.items() if k != "brand.yaml"}, "files"),
        (lambda f: {**f, **{f"t{i}.csv": "a\n" for i in range(50)}}, "files"),
        (lambda f: {**f, "big.csv": "x" * (2 * 1024 * 1024)}, "files"),
    ],
)
def test_uploads_are_bounded_and_names_are_plain(
    pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str], change: Any, field: str
) -> None:
    response = pg_client.post(RULE_SETS, json={"files": change(files)}, headers=headers)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json["errors"]]


def test_an_oversized_body_is_refused_before_it_is_read(
    pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    body = b'{"files": {"brand.yaml": "' + b"x" * rulesets.MAX_BODY_BYTES + b'"}}'
    response = pg_client.post(RULE_SETS, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].endswith("this endpoint accepts at most 48 MB.")


def test_the_body_limit_takes_the_largest_rule_set_the_limits_allow_and_little_more() -> None:
    # Given the largest rule set within the limits, written as JSON the least favourable way: 50 files
    # of control characters (six bytes each once escaped), 500 assets of 24 MB in all under the longest
    # paths, indented, with every slash escaped (as PHP's encoder does by default)
    per_file = rulesets.MAX_TOTAL_BYTES // rulesets.MAX_FILES
    files = {f"{'f' * 58}{n:02d}.yaml": "\x01" * per_file for n in range(rulesets.MAX_FILES)}
    per_asset = rulesets.MAX_ASSET_BYTES // rulesets.MAX_ASSETS
    folders = "/".join(f"{n}" * 100 for n in range(6))
    noise = random.Random(7)  # compressed images and fonts: their bytes look random
    assets = {
        f"{folders}/{n:03d}{'a' * 93}.png": base64.b64encode(noise.randbytes(per_asset)).decode()
        for n in range(rulesets.MAX_ASSETS)
    }
    body = json.dumps({"files": files, "assets": assets}, indent=2).replace("/", "\\/")
    # Then its body is within the limit, and the limit is no more than 4 MB above it
    assert len(body.encode()) <= rulesets.MAX_BODY_BYTES < len(body.encode()) + 4 * 1024 * 1024


def test_a_body_of_the_limit_exactly_is_read(pg_client: FlaskClient, headers: dict[str, str]) -> None:
    head, tail = b'{"files": {"brand.yaml": "', b'"}}'
    body = head + b"x" * (rulesets.MAX_BODY_BYTES - len(head) - len(tail)) + tail
    response = pg_client.post(RULE_SETS, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 422  # read, then refused for what it holds
    assert response.get_json()["errors"][0]["field"] == "files"


def test_check_reports_what_publishing_would_do_and_what_it_would_break(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    from configurator.designs import services as designs
    from configurator.extensions import db

    # Given a saved gold mug
    with pg_app.app_context():
        gold = designs.save("mug", {"colour": "gold"}).public_id
        designs.save("mug", {"colour": "ink"})
        db.session.remove()
    # And new rules in which gold is sold out
    files["mug.yaml"] = files["mug.yaml"].replace("\nprices:", GOLD_SOLD_OUT + "\nprices:")
    # When they are checked
    checked = pg_client.post(f"{RULE_SETS}/check", json={"files": files}, headers=headers)
    # Then the answer says the mug would get a new version and names the design it would break
    assert checked.status_code == 200, checked.json
    assert checked.json["published"] is False
    assert outcomes(checked.json) == {"mug": "created", "poster": "unchanged"}
    assert next(p for p in checked.json["products"] if p["product_key"] == "mug")["version_id"] is None
    [broken] = checked.json["invalidated"]
    assert (broken["kind"], broken["design"], broken["rules"]) == ("design", gold, ["gold-sold-out"])
    assert broken["violations"][0]["message"] == "Gold glaze is sold out."
    # And nothing was stored
    assert pg_client.get(RULE_SETS, query_string={"product": "mug"}, headers=headers).json["total"] == 1
    # When they are published, the answer is the same, and the version is live
    published = pg_client.post(RULE_SETS, json={"files": files}, headers=headers)
    assert published.json["published"] is True
    assert [b["design"] for b in published.json["invalidated"]] == [gold]
    assert pg_client.get(RULE_SETS, query_string={"product": "mug"}, headers=headers).json["total"] == 2


def test_listing_needs_catalog_read_and_publishing_needs_catalog_publish(
    pg_app: Flask, pg_client: FlaskClient, files: dict[str, str]
) -> None:
    reader = admin_headers(pg_app, "catalog:read")
    assert pg_client.get(RULE_SETS, headers=reader).status_code == 200
    refused = pg_client.post(RULE_SETS, json={"files": files}, headers=reader)
    assert refused.status_code == 403
    assert "catalog:publish" in refused.json["detail"]


DEMO = TEST_CATALOG.parents[2] / "catalog"


def demo_upload() -> dict[str, Any]:
    """The demo catalog as an upload: its YAML and CSV files, and every file under assets/ (base64)."""
    files = {
        p.name: p.read_text(encoding="utf-8") for p in sorted(DEMO.iterdir()) if p.suffix in {".yaml", ".csv"}
    }
    assets = {
        p.relative_to(DEMO).as_posix(): base64.b64encode(p.read_bytes()).decode()
        for p in sorted((DEMO / "assets").rglob("*"))
        if p.suffix in {".png", ".ttf", ".otf", ".jpg", ".webp"}
    }
    return {"files": files, "assets": assets}


def test_a_catalog_with_views_is_published_with_its_assets_and_previews_draw_them(
    pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    upload = demo_upload()
    upload["assets"]["assets/spare/never-drawn.png"] = next(iter(upload["assets"].values()))
    # The demo is another brand than the test catalog's: publishing it is a decision
    response = pg_client.post(RULE_SETS, json={**upload, "confirm_brand_change": True}, headers=headers)
    assert response.status_code == 200, response.json
    assert outcomes(response.json)["engraved-mug"] == "created"
    unused = [w for w in response.json["warnings"] if w["code"] == "unused-asset"]
    assert [w["field"] for w in unused] == ["assets.assets/spare/never-drawn.png"]
    # The live mug's preview is drawn from the uploaded images
    answer = pg_client.post("/api/v1/products/engraved-mug/configure", json={"picks": {}}).json
    preview = pg_client.get(answer["preview"]["url"])
    assert preview.status_code == 200
    assert preview.mimetype.startswith("image/")
    assert len(preview.data) > 1000


def test_a_view_whose_asset_is_missing_is_refused_by_name(
    pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    upload = demo_upload()
    missing = "assets/engraved-mug/standard.png"
    assert missing in upload["assets"]
    del upload["assets"][missing]
    for url in (RULE_SETS, f"{RULE_SETS}/check"):
        response = pg_client.post(url, json=upload, headers=headers)
        assert response.status_code == 422
        errors = response.json["errors"]
        assert [e["code"] for e in errors] == ["missing-asset"] * len(errors)
        mentioned = [e for e in errors if missing in e["detail"]]
        assert mentioned
        assert mentioned[0]["file"] == "engraved-mug.yaml"
        assert "under `assets`" in mentioned[0]["hint"]
        assert "atelier-upload" not in str(response.json)
    assert pg_client.get(RULE_SETS, headers=headers).json["total"] == 2  # nothing published


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("../escape.png", "AAAA"),
        ("assets/../../escape.png", "AAAA"),
        ("/abs/path.png", "AAAA"),
        ("assets/.hidden.png", "AAAA"),
        ("assets/notes.txt", "AAAA"),
        ("assets/mug/body.png", "not base64!"),
    ],
)
def test_asset_paths_are_plain_and_their_bytes_base64(
    pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str], path: str, content: str
) -> None:
    response = pg_client.post(RULE_SETS, json={"files": files, "assets": {path: content}}, headers=headers)
    assert response.status_code == 422
    assert f"assets.{path}" in [e["field"] for e in response.json["errors"]]


def poster_upload(image: bytes) -> dict[str, Any]:
    """The test catalog with a poster drawn in one view from `image`, as an upload."""
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(TEST_CATALOG.iterdir())}
    files["poster.yaml"] += POSTER_VIEW
    return {"files": files, "assets": {POSTER_IMAGE: base64.b64encode(image).decode()}}


@pytest.mark.parametrize("kind", sorted(BAD_IMAGES))
def test_a_view_image_that_is_no_usable_png_is_refused_where_it_is_drawn(
    pg_client: FlaskClient, headers: dict[str, str], kind: str
) -> None:
    # Given a poster view drawing a GIF, an SVG or a 30000×30000 PNG, all named .png
    upload = poster_upload(BAD_IMAGES[kind])
    for url in (RULE_SETS, f"{RULE_SETS}/check"):
        # When it is published or checked
        response = pg_client.post(url, json=upload, headers=headers)
        # Then it is refused as `rules check` refuses it, at the layer that draws it
        assert response.status_code == 422, response.json
        assert response.mimetype == "application/problem+json"
        [error] = response.json["errors"]
        assert (error["code"], error["file"], error["severity"]) == (
            "file-unreadable",
            "poster.yaml",
            "error",
        )
        assert error["line"] > 1
        assert error["column"] >= 1
        assert re.match(r"^poster\.yaml:\d+:\d+: the image 'assets/poster/paper\.png'", error["detail"])
        assert "atelier-upload" not in str(response.json)
    # And nothing was published: the live poster is the one without views
    assert pg_client.get(RULE_SETS, query_string={"product": "poster"}, headers=headers).json["total"] == 1


def test_a_view_image_that_is_a_png_of_the_views_size_is_published(
    pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    response = pg_client.post(RULE_SETS, json=poster_upload(png()), headers=headers)
    assert response.status_code == 200, response.json
    assert outcomes(response.json) == {"mug": "unchanged", "poster": "created"}
    answer = pg_client.post("/api/v1/products/poster/configure", json={"picks": {}}).json
    assert pg_client.get(answer["preview"]["url"]).status_code == 200


def cart_id(app: Flask, token: str) -> int:
    from configurator.carts import services as carts

    with app.app_context():
        return carts.find(token).id


def test_another_brand_is_published_only_when_confirmed_and_both_answers_list_the_totals_it_changes(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    # Given an open cart to France holding a white mug (prices before tax: tax is added on top)
    token = ready_cart(pg_app, [("mug", {"colour": "white"}, 1)])
    before, _ = cart_total(pg_app, token)
    assert before == Decimal("22.80")  # 14.00 + 5.00 shipping + 20 % VAT
    # And a rule set of another brand, whose prices include tax
    other = {**files, "brand.yaml": rebranded(files["brand.yaml"], "other-atelier")}
    # When it is published without confirming
    refused = pg_client.post(RULE_SETS, json={"files": other}, headers=headers)
    # Then it is refused, saying which brand would replace which and what the cart would cost
    assert refused.status_code == 409, refused.json
    assert refused.mimetype == "application/problem+json"
    problem = refused.json
    assert problem["code"] == "brand-change-unconfirmed"
    assert problem["brand_change"] == {"current": "test-atelier", "new": "other-atelier"}
    assert "confirm_brand_change" in problem["detail"]
    changes = problem["price_changes"]
    [cart] = [item for item in changes["items"] if item["kind"] == "cart"]
    assert cart["cart"] == cart_id(pg_app, token)
    assert (cart["currency"], cart["old_total"], cart["new_total"]) == ("EUR", "22.80", "19.00")
    assert (cart["old_tax_included"], cart["new_tax_included"]) == (False, True)
    [design] = [item for item in changes["items"] if item["kind"] == "design"]
    assert (design["product_key"], design["old_total"], design["new_total"]) == ("mug", "14.00", "14.00")
    assert (design["old_tax_included"], design["new_tax_included"]) == (False, True)
    assert (changes["count"], changes["carts"], changes["designs"]) == (2, 1, 1)
    # And nothing changed: the cart costs what it did
    assert cart_total(pg_app, token)[0] == before
    assert pg_client.get(RULE_SETS, query_string={"product": "mug"}, headers=headers).json["total"] == 1
    # When the merchant confirms
    confirmed = pg_client.post(
        RULE_SETS, json={"files": other, "confirm_brand_change": True}, headers=headers
    )
    # Then it is published, and the answer lists the same changes, which the cart now shows
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["brand_change"] == {"current": "test-atelier", "new": "other-atelier"}
    assert confirmed.json["price_changes"] == changes
    assert cart_total(pg_app, token)[0] == Decimal("19.00")


def test_a_check_of_another_brand_lists_the_change_without_refusing(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    ready_cart(pg_app, [("mug", {"colour": "white"}, 1)])
    other = {**files, "brand.yaml": rebranded(files["brand.yaml"], "other-atelier")}
    checked = pg_client.post(f"{RULE_SETS}/check", json={"files": other}, headers=headers)
    assert checked.status_code == 200, checked.json
    assert checked.json["brand_change"] == {"current": "test-atelier", "new": "other-atelier"}
    assert checked.json["price_changes"]["carts"] == 1


def test_the_same_brand_publishes_without_confirming_and_lists_what_its_new_prices_change(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str], files: dict[str, str]
) -> None:
    token = ready_cart(pg_app, [("mug", {"colour": "white"}, 1)])
    files["mug.yaml"] = files["mug.yaml"].replace('price: {EUR: "14.00"', 'price: {EUR: "15.00"')
    response = pg_client.post(RULE_SETS, json={"files": files}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["brand_change"] is None
    [cart] = [item for item in response.json["price_changes"]["items"] if item["kind"] == "cart"]
    assert (cart["cart"], cart["old_total"], cart["new_total"]) == (cart_id(pg_app, token), "22.80", "24.00")


def test_the_listing_of_changed_totals_is_a_count_and_the_first_ones(
    pg_app: Flask,
    pg_client: FlaskClient,
    headers: dict[str, str],
    files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given three open carts, and a listing bounded to two entries
    tokens = [ready_cart(pg_app, [("mug", {"colour": "white"}, n)]) for n in (1, 2, 3)]
    monkeypatch.setattr(impact, "LISTED", 2)
    other = {**files, "brand.yaml": rebranded(files["brand.yaml"], "other-atelier")}
    # When another brand is checked
    changes = pg_client.post(f"{RULE_SETS}/check", json={"files": other}, headers=headers).json[
        "price_changes"
    ]
    # Then every changed total is counted, the first two carts are listed, and the answer says so
    assert (changes["count"], changes["carts"], changes["designs"], changes["limit"]) == (6, 3, 3, 2)
    assert [item["cart"] for item in changes["items"]] == [cart_id(pg_app, t) for t in tokens[:2]]
