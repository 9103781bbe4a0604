"""Publishing rule sets through the admin API: new versions for changed products only, diagnostics
with file:line:column for files that do not load, and the saved designs a change would break."""

from __future__ import annotations

import base64
import json
import random
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.admin import rulesets
from tests.conftest import TEST_CATALOG
from tests.support.admin import admin_headers

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
    response = pg_client.post(RULE_SETS, json=upload, headers=headers)
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
