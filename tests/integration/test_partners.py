"""Partners on PostgreSQL: keys and origins through the services and the `atelier partners` commands."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from configurator.cli import main
from configurator.partners import services
from configurator.partners.errors import PartnerInvalid, PartnerNotFound, UnknownPublishableKey
from tests.conftest import TEST_CATALOG
from tests.support.services import Postgres

TEST_KEY = re.compile(r"^pk_test_[A-Za-z0-9_-]{32}$")
LIVE_KEY = re.compile(r"^pk_live_[A-Za-z0-9_-]{32}$")


@pytest.fixture
def cli(pg_app: Flask, postgres: Postgres, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on the test database (migrated by pg_app), without the demo's own set-up."""
    monkeypatch.setenv("ATELIER_DATABASE_URL", postgres.url)
    monkeypatch.setenv("ATELIER_CATALOG", str(TEST_CATALOG))
    monkeypatch.setenv("ATELIER_AUTO_SETUP", "false")
    return CliRunner()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example:443/", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://[::1]:3000", "http://[::1]:3000"),
    ],
)
def test_origins_are_stored_as_browsers_send_them(given: str, expected: str) -> None:
    assert services.normalize_origin(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "shop.example",
        "ftp://shop.example",
        "https://shop.example/shop",
        "https://shop.example?x=1",
        "https://user:pw@shop.example",
        "https://*.shop.example",
        "http://localhost:*",
        "https://shop.example:99999",
        "null",
    ],
)
def test_anything_but_an_exact_origin_is_refused(given: str) -> None:
    with pytest.raises(PartnerInvalid):
        services.normalize_origin(given)


def test_production_wants_https_except_on_localhost() -> None:
    with pytest.raises(PartnerInvalid, match="https"):
        services.normalize_origin("http://shop.example", production=True)
    assert services.normalize_origin("http://localhost:5173", production=True) == "http://localhost:5173"
    assert services.normalize_origin("http://127.0.0.1:8080", production=True) == "http://127.0.0.1:8080"


def test_add_resolve_change_and_disable(pg_app: Flask) -> None:
    with pg_app.app_context():
        # Given a partner added with two origins (one written loosely)
        partner = services.add("acme", ["https://acme.example/", "https://www.acme.example"])
        key = partner.publishable_key
        assert TEST_KEY.match(key)  # the demo makes test keys
        assert partner.origin_list == ["https://acme.example", "https://www.acme.example"]
        # Then its key resolves to it, and only its origins are allowed, exactly
        found = services.resolve(key)
        assert found.id == partner.id
        assert services.origin_allowed(found, "https://acme.example")
        assert not services.origin_allowed(found, "https://acme.example:8443")
        assert not services.origin_allowed(found, "https://evil.example")
        assert services.origin_listed("https://www.acme.example")
        # When an origin is added and another removed
        services.change_origins("acme", added=["http://localhost:5173"], removed=["HTTPS://WWW.ACME.EXAMPLE"])
        assert services.find("acme").origin_list == ["http://localhost:5173", "https://acme.example"]
        assert not services.origin_listed("https://www.acme.example")
        # And the partner is disabled
        services.disable("acme")
        with pytest.raises(UnknownPublishableKey):
            services.resolve(key)
        assert not services.origin_listed("https://acme.example")


def test_names_keys_and_origins_are_checked(pg_app: Flask) -> None:
    with pg_app.app_context():
        services.add("acme", ["https://acme.example"])
        with pytest.raises(PartnerInvalid, match="exists already"):
            services.add("acme", ["https://other.example"])
        with pytest.raises(PartnerInvalid, match="at least one origin"):
            services.add("nobody", [])
        with pytest.raises(PartnerInvalid, match="letters"):
            services.add("not a name", ["https://x.example"])
        with pytest.raises(PartnerInvalid, match="at least one origin"):
            services.change_origins("acme", removed=["https://acme.example"])
        with pytest.raises(PartnerInvalid, match="has no origin"):
            services.change_origins("acme", removed=["https://other.example"])
        with pytest.raises(PartnerNotFound):
            services.disable("nobody")
        for key in (
            "",
            "pk_test_",
            "sk_test_abc",
            "pk_test_" + "a" * 100,
            "pk_test_a\x00b",
            "pk_live_unknown",
        ):
            with pytest.raises(UnknownPublishableKey):
                services.resolve(key)


def test_keys_are_live_in_production_and_never_repeat() -> None:
    keys = {services.new_key(live=True) for _ in range(1000)}
    assert len(keys) == 1000
    assert all(LIVE_KEY.match(k) for k in keys)


def test_cli_adds_lists_changes_and_disables_partners(cli: CliRunner, pg_client: FlaskClient) -> None:
    # Given a partner added on the command line
    added = cli.invoke(
        main,
        ["partners", "add", "acme", "--origin", "https://acme.example", "--origin", "http://localhost:5173"],
    )
    assert added.exit_code == 0, added.output
    key = added.stdout.strip()
    assert TEST_KEY.match(key)  # only the key on stdout: KEY=$(atelier partners add ...) works
    assert "/embed/PRODUCT?key=" + key in added.stderr
    assert "X-Atelier-Key" in added.stderr
    # Then its key works on the API from its origin
    response = pg_client.get(
        "/api/v1/products", headers={"X-Atelier-Key": key, "Origin": "https://acme.example"}
    )
    assert response.status_code == 200
    # And the list shows it with its origins
    listed = cli.invoke(main, ["partners", "list"])
    assert listed.exit_code == 0, listed.output
    assert f"acme\t{key}\thttp://localhost:5173,https://acme.example\tactive" in listed.stdout
    # When its origins change
    changed = cli.invoke(
        main,
        [
            "partners",
            "origins",
            "acme",
            "--add",
            "https://shop.acme.example",
            "--remove",
            "http://localhost:5173",
        ],
    )
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.split() == ["https://acme.example", "https://shop.acme.example"]
    assert cli.invoke(main, ["partners", "origins", "acme"]).stdout.split() == changed.stdout.split()
    # And it is disabled
    disabled = cli.invoke(main, ["partners", "disable", "acme"])
    assert disabled.exit_code == 0, disabled.output
    assert "Disabled acme" in disabled.stdout
    assert "\tdisabled " in cli.invoke(main, ["partners", "list"]).stdout
    # Then its key is refused
    response = pg_client.get(
        "/api/v1/products", headers={"X-Atelier-Key": key, "Origin": "https://acme.example"}
    )
    assert response.status_code == 401


def test_cli_explains_what_it_refuses(cli: CliRunner) -> None:
    refused = cli.invoke(main, ["partners", "add", "acme", "--origin", "https://*.acme.example"])
    assert refused.exit_code == 1
    assert "wildcards are not supported" in refused.stderr
    assert cli.invoke(main, ["partners", "add", "acme"]).exit_code == 2  # --origin is required
    missing = cli.invoke(main, ["partners", "disable", "nobody"])
    assert missing.exit_code == 1
    assert "No partner is named 'nobody'" in missing.stderr
    assert cli.invoke(main, ["partners", "list"]).stdout.strip() == "No partners."
