"""The admin API on saved designs: newest first, by product, paged; one design read by today's rules."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.support.admin import admin_headers

DESIGNS = "/api/v1/admin/designs"


def save(app: Flask, product: str, picks: dict[str, object]) -> str:
    from configurator.designs import services as designs
    from configurator.extensions import db

    with app.app_context():
        public_id = designs.save(product, picks).public_id
        db.session.remove()
    return public_id


def test_designs_are_listed_newest_first_by_product_and_paged(pg_app: Flask, pg_client: FlaskClient) -> None:
    headers = admin_headers(pg_app, "designs:read")
    mugs = [save(pg_app, "mug", {"colour": colour}) for colour in ("white", "ink", "gold")]
    poster = save(pg_app, "poster", {"width": 60})

    everything = pg_client.get(DESIGNS, headers=headers)
    assert everything.status_code == 200
    assert [d["public_id"] for d in everything.json["items"]] == [poster, *reversed(mugs)]

    page = pg_client.get(DESIGNS, query_string={"product": "mug", "page_size": 2}, headers=headers).json
    assert (page["total"], page["pages"]) == (3, 2)
    assert [d["public_id"] for d in page["items"]] == [mugs[2], mugs[1]]
    assert "product=mug" in page["links"]["next"]
    item = page["items"][0]
    assert item["choices"]["colour"] == "gold"
    assert item["version"]["product_key"] == "mug"
    assert item["remixed_from"] is None
    assert item["links"]["self"] == f"{DESIGNS}/{mugs[2]}"


def test_one_design_with_what_the_live_rules_say(pg_app: Flask, pg_client: FlaskClient) -> None:
    headers = admin_headers(pg_app, "designs:read")
    public_id = save(pg_app, "mug", {"colour": "ink", "engraving": "Hi"})
    response = pg_client.get(f"{DESIGNS}/{public_id}", headers=headers)
    assert response.status_code == 200
    design = response.json
    assert design["choices"]["engraving"] == "Hi"
    assert design["live"]["valid"] is True
    assert design["live"]["version_id"] == design["version"]["id"]
    assert design["live"]["violations"] == []


def test_an_unknown_design_is_not_found(pg_app: Flask, pg_client: FlaskClient) -> None:
    headers = admin_headers(pg_app, "designs:read")
    response = pg_client.get(f"{DESIGNS}/not-a-design", headers=headers)
    assert response.status_code == 404
    assert response.json["code"] == "design-not-found"


def test_designs_need_their_scope(pg_app: Flask, pg_client: FlaskClient) -> None:
    headers = admin_headers(pg_app, "orders:read")
    assert pg_client.get(DESIGNS, headers=headers).status_code == 403
    assert pg_client.get(f"{DESIGNS}/x", headers=headers).status_code == 403
