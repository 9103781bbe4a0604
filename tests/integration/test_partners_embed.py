"""The iframe mode: the embed page is framed by the partner's origins only, and refuses unknown keys."""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient

from configurator.extensions import db
from configurator.partners import services


def add_partner(app: Flask, name: str = "acme", *origins: str) -> str:
    with app.app_context():
        key = services.add(
            name, list(origins or ("https://acme.example", "http://localhost:5173"))
        ).publishable_key
        db.session.remove()
    return key


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        found[name] = values
    return found


def test_the_embed_page_may_be_framed_by_the_partner_origins_exactly(
    pg_app: Flask, pg_client: FlaskClient
) -> None:
    key = add_partner(pg_app)
    response = pg_client.get("/embed/mug", query_string={"key": key})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["http://localhost:5173", "https://acme.example"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "X-Frame-Options" not in response.headers  # it cannot list several origins; the CSP does
    # And the page hands its script the same exact origins, the product and the key
    html = response.get_data(as_text=True)
    island = re.search(r'<script type="application/json" id="atelier-embed">(.*?)</script>', html, re.S)
    assert island is not None
    config = json.loads(island.group(1))
    assert config["origins"] == policy["frame-ancestors"]
    assert (config["product"], config["key"], config["keyHeader"]) == ("mug", key, "X-Atelier-Key")
    assert '<atelier-configurator product="mug"' in html
    assert "/assets/embed.js" in html


def test_the_embed_script_checks_origins_exactly(pg_client: FlaskClient) -> None:
    script = pg_client.get("/assets/embed.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    script.close()
    assert "allowed.includes(event.origin)" in text
    assert "event.source !== window.parent" in text
    assert 'postMessage({ source: "atelier", type, detail }, parentOrigin)' in text
    assert '"*"' not in text  # never a wildcard target origin


def test_unknown_missing_and_disabled_keys_are_refused_with_a_page(
    pg_app: Flask, pg_client: FlaskClient
) -> None:
    key = add_partner(pg_app)
    for query in ({"key": "pk_test_nosuchkey"}, {}, {"key": "<script>"}):
        response = pg_client.get("/embed/mug", query_string=query)
        assert response.status_code == 401
        assert response.mimetype == "text/html"
        assert "publishable key" in response.get_data(as_text=True).lower()
        assert "<script>" not in response.get_data(as_text=True)
        assert "frame-ancestors" not in response.headers["Content-Security-Policy"]
    with pg_app.app_context():
        services.disable("acme")
        db.session.remove()
    response = pg_client.get("/embed/mug", query_string={"key": key})
    assert response.status_code == 401
    assert "No active partner has this publishable key." in response.get_data(as_text=True)


def test_an_unknown_product_is_a_404_page(pg_app: Flask, pg_client: FlaskClient) -> None:
    key = add_partner(pg_app)
    response = pg_client.get("/embed/no-such-product", query_string={"key": key})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
