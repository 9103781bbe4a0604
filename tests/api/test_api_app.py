"""The app factory, configuration, and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from configurator.config import DEMO_SECRET_KEY, load_config
from configurator.errors import ConfigurationError


def test_demo_mode_has_embedded_defaults() -> None:
    config = load_config(environ={})
    assert config["ATELIER_MODE"] == "demo"
    assert config["ATELIER_CATALOG"] == "catalog"
    assert config["SECRET_KEY"] == DEMO_SECRET_KEY
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:")


def test_environment_then_overrides() -> None:
    config = load_config(
        environ={"ATELIER_CATALOG": "/srv/catalog", "ATELIER_SECRET_KEY": "s3"},
        overrides={"ATELIER_CATALOG": "/tmp/other"},
    )
    assert config["ATELIER_CATALOG"] == "/tmp/other"
    assert config["SECRET_KEY"] == "s3"


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({}, "ATELIER_SECRET_KEY"),
        ({"ATELIER_DATABASE_URL": "postgresql+psycopg://db/atelier"}, "ATELIER_SECRET_KEY"),
        (
            {"ATELIER_SECRET_KEY": DEMO_SECRET_KEY, "ATELIER_DATABASE_URL": "postgresql://db"},
            "ATELIER_SECRET_KEY",
        ),
        ({"ATELIER_SECRET_KEY": "k"}, "ATELIER_DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(environ: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigurationError, match=missing):
        load_config(environ={"ATELIER_MODE": "production", **environ})


def test_production_with_secrets() -> None:
    config = load_config(
        environ={
            "ATELIER_MODE": "production",
            "ATELIER_SECRET_KEY": "k",
            "ATELIER_DATABASE_URL": "postgresql+psycopg://db/atelier",
            "ATELIER_STRIPE_SECRET_KEY": "sk_live_x",
            "ATELIER_STRIPE_PUBLISHABLE_KEY": "pk_live_x",
            "ATELIER_STRIPE_WEBHOOK_SECRET": "whsec_x",
        }
    )
    assert config["SECRET_KEY"] == "k"


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="ATELIER_MODE"):
        load_config(environ={"ATELIER_MODE": "staging"})


def test_create_app_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, test_config: dict[str, Any]
) -> None:
    from configurator import create_app

    monkeypatch.setenv("ATELIER_CATALOG", test_config["ATELIER_CATALOG"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.test_client().get("/readyz").get_json()["products"] == 2


def test_a_broken_catalog_stops_the_app(tmp_path: Any, test_config: dict[str, Any]) -> None:
    from configurator import create_app
    from configurator.catalog.errors import CatalogInvalid

    (tmp_path / "brand.yaml").write_text("brand: Not A Key\n", encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        create_app({**test_config, "ATELIER_CATALOG": str(tmp_path)})
    assert caught.value.diagnostics


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/healthz",
        "/api/v1/products",
        "/api/v1/products/{slug}",
        "/api/v1/products/{slug}/configure",
    } <= set(spec["paths"])
    configure = spec["paths"]["/api/v1/products/{slug}/configure"]["post"]
    assert "application/json" in configure["requestBody"]["content"]
    assert set(configure["responses"]) >= {"200", "404", "422", "default"}
    for status in ("404", "422", "default"):
        name = configure["responses"][status]["$ref"].rsplit("/", 1)[-1]
        assert list(spec["components"]["responses"][name]["content"]) == ["application/problem+json"]
    request_schema = spec["components"]["schemas"]["ConfigureRequest"]
    assert request_schema["properties"]["quantity"]["type"] == "integer"
    assert request_schema.get("additionalProperties") is False


def test_docs_page_is_served(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "/openapi.json" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA;q=0.8, en;q=0.5", "fr"),
        ("en;q=0.5, fr-CA;q=0.8", "fr"),
        ("fr;q=0, en;q=0.1", "en"),
        ("de, *;q=0.1", "en"),
        ("de-AT", "en"),
        ("FR", "fr"),
        ("", "en"),
    ],
)
def test_locale_negotiation(header: str, expected: str) -> None:
    from flask import Flask

    from configurator.locale import negotiate_locale

    with Flask(__name__).test_request_context(headers={"Accept-Language": header}):
        assert negotiate_locale(["en", "fr"], "en") == expected


def test_the_demo_catalog_serves() -> None:
    # What `make run` serves: every demo product describes itself and configures from scratch.
    from configurator import create_app

    demo = Path(__file__).parents[2] / "catalog"
    client = create_app({"ATELIER_CATALOG": str(demo), "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_client()
    products = client.get("/api/v1/products").get_json()["products"]
    assert products
    for product in products:
        assert client.get(product["links"]["self"]).status_code == 200
        answer = client.post(product["links"]["configure"], json={})
        assert answer.status_code == 200, (product["key"], answer.get_json())
        assert answer.get_json()["consistent"] is True


def test_no_request_reads_or_writes_a_session_cookie(app: Any, client: FlaskClient) -> None:
    from flask import session

    answer = client.get("/api/v1/products", headers={"Cookie": "session=anything"})
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    with app.test_request_context("/"):
        assert not session
        with pytest.raises(RuntimeError, match="session is unavailable"):
            session["shopper"] = "x"
