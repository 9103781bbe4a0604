"""Admin tokens: made by the CLI or the service, stored hashed, checked on every admin request."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from configurator.admin import services
from configurator.admin.errors import TokenInvalid, TokenNotFound
from configurator.admin.models import AdminToken
from configurator.cli import main
from configurator.extensions import db
from tests.conftest import TEST_CATALOG
from tests.support.admin import admin_headers
from tests.support.services import Postgres

ORDERS = "/api/v1/admin/orders"
TOKEN = re.compile(r"^atk_[A-Za-z0-9_-]{43}$")


def _token(app: Flask, name: str) -> AdminToken:
    with app.app_context():
        token = db.session.scalar(db.select(AdminToken).where(AdminToken.name == name))
        assert token is not None
        db.session.expunge(token)
        return token


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="atelier-admin"')


def test_a_request_without_a_token_is_refused_with_a_challenge(pg_client: FlaskClient) -> None:
    response = pg_client.get(ORDERS)
    assert_unauthorized(response)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="atelier-admin"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer atk_" + "x" * 43,  # well-formed, unknown
        "Bearer not-a-token",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer ",
        "Bearer atk_" + "x" * 500,
    ],
)
def test_a_wrong_token_is_refused(pg_client: FlaskClient, header: str) -> None:
    response = pg_client.get(ORDERS, headers={"Authorization": header})
    assert_unauthorized(response)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_refused(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a token that works
    headers = admin_headers(pg_app, "orders:read", name="old")
    assert pg_client.get(ORDERS, headers=headers).status_code == 200
    # When it is revoked
    with pg_app.app_context():
        services.revoke_token("old")
    # Then it is refused like any wrong token
    response = pg_client.get(ORDERS, headers=headers)
    assert_unauthorized(response)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_without_the_scope_is_forbidden_and_told_which(pg_app: Flask, pg_client: FlaskClient) -> None:
    headers = admin_headers(pg_app, "designs:read")
    response = pg_client.get(ORDERS, headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "forbidden"
    assert "orders:read" in response.json["detail"]
    assert 'scope="orders:read"' in response.headers["WWW-Authenticate"]
    # Reading is not writing either.
    reader = admin_headers(pg_app, "orders:read", name="reader")
    response = pg_client.post(f"{ORDERS}/XXXX-XXXX/transitions", json={"to": "shipped"}, headers=reader)
    assert response.status_code == 403
    assert "orders:write" in response.json["detail"]


def test_authentication_comes_before_argument_validation(pg_client: FlaskClient) -> None:
    # An anonymous caller learns nothing about the parameters from a 422.
    assert_unauthorized(pg_client.get(ORDERS, query_string={"page": "zero"}))
    assert_unauthorized(pg_client.post("/api/v1/admin/rule-sets", json={"nope": 1}))


def test_tokens_are_stored_hashed_with_a_display_prefix(pg_app: Flask) -> None:
    with pg_app.app_context():
        created = services.create_token("ci", ["orders:read", "orders:read", "designs:read"])
        plain = created.plain
    assert TOKEN.match(plain)
    token = _token(pg_app, "ci")
    assert token.token_hash == services.hash_token(plain) != plain
    assert plain.startswith(token.prefix)
    assert len(token.prefix) == 12
    assert token.scopes == ["designs:read", "orders:read"]


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [
        ("bad name", ["orders:read"], "name"),
        ("../x", ["orders:read"], "name"),
        ("ok", ["orders:delete"], "scopes"),
        ("ok", ["*"], "scopes"),
        ("ok", [], "scopes"),
    ],
)
def test_token_names_and_scopes_are_checked(pg_app: Flask, name: str, scopes: list[str], field: str) -> None:
    with pg_app.app_context(), pytest.raises(TokenInvalid) as caught:
        services.create_token(name, scopes)
    assert [e.field for e in caught.value.errors] == [field]


def test_a_name_is_never_reused_even_after_revocation(pg_app: Flask) -> None:
    with pg_app.app_context():
        services.create_token("ci", ["orders:read"])
        services.revoke_token("ci")
        with pytest.raises(TokenInvalid):
            services.create_token("ci", ["orders:read"])
        with pytest.raises(TokenNotFound):
            services.revoke_token("nobody")


def test_last_use_is_recorded_at_most_once_a_minute(pg_app: Flask, pg_client: FlaskClient) -> None:
    headers = admin_headers(pg_app, "orders:read")
    assert _token(pg_app, "test-admin").last_used_at is None
    pg_client.get(ORDERS, headers=headers)
    first = _token(pg_app, "test-admin").last_used_at
    assert first is not None
    pg_client.get(ORDERS, headers=headers)
    assert _token(pg_app, "test-admin").last_used_at == first
    # Two minutes later, the next request moves it on.
    earlier = first - timedelta(minutes=2)
    with pg_app.app_context():
        db.session.execute(db.update(AdminToken).values(last_used_at=earlier))
        db.session.commit()
    pg_client.get(ORDERS, headers=headers)
    later = _token(pg_app, "test-admin").last_used_at
    assert later is not None
    assert later >= first


def test_the_openapi_document_describes_the_bearer_scheme_per_operation(pg_client: FlaskClient) -> None:
    document = pg_client.get("/openapi.json").json
    assert document["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"
    admin_paths = {p: ops for p, ops in document["paths"].items() if p.startswith("/api/v1/admin")}
    for expected in ("/api/v1/admin/orders", "/api/v1/admin/rule-sets", "/api/v1/admin/partners"):
        assert expected in admin_paths
    assert any("/proofs" in p for p in admin_paths)
    assert any("/insights/" in p for p in admin_paths)
    for operations in admin_paths.values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["security"] == [{"adminToken": []}]
            assert "`" in operation["description"]  # names the scope
            assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] is True
            assert "403" in operation["responses"]


# --- the CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(pg_app: Flask, postgres: Postgres, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on the test database (migrated by pg_app), without the demo's own set-up."""
    monkeypatch.setenv("ATELIER_DATABASE_URL", postgres.url)
    monkeypatch.setenv("ATELIER_CATALOG", str(TEST_CATALOG))
    monkeypatch.setenv("ATELIER_AUTO_SETUP", "false")
    return CliRunner()


def test_cli_creates_lists_and_revokes_tokens(cli_env: CliRunner, pg_client: FlaskClient) -> None:
    # Given a token made on the command line
    created = cli_env.invoke(
        main, ["admin", "token", "create", "workshop", "--scope", "orders:read", "--scope", "orders:write"]
    )
    assert created.exit_code == 0, created.output
    plain = created.stdout.strip()
    assert TOKEN.match(plain)
    assert "cannot be shown again" in created.stderr
    # Then it works on the API
    headers = {"Authorization": f"Bearer {plain}"}
    assert pg_client.get(ORDERS, headers=headers).status_code == 200
    # And the list shows its prefix and scopes, never the token
    listed = cli_env.invoke(main, ["admin", "token", "list"])
    assert listed.exit_code == 0, listed.output
    assert "workshop" in listed.output
    assert plain[:12] in listed.output
    assert "orders:read,orders:write" in listed.output
    assert "active" in listed.output
    assert plain not in listed.output
    # When it is revoked
    revoked = cli_env.invoke(main, ["admin", "token", "revoke", "workshop"])
    assert revoked.exit_code == 0, revoked.output
    # Then the API refuses it and the list says so
    assert pg_client.get(ORDERS, headers=headers).status_code == 401
    assert "revoked" in cli_env.invoke(main, ["admin", "token", "list"]).output


def test_cli_refuses_unknown_scopes_and_names(cli_env: CliRunner) -> None:
    result = cli_env.invoke(main, ["admin", "token", "create", "x", "--scope", "orders:delete"])
    assert result.exit_code == 1
    assert "orders:delete" in result.output
    result = cli_env.invoke(main, ["admin", "token", "revoke", "nobody"])
    assert result.exit_code == 1
    assert "nobody" in result.output


def test_cli_all_scopes(cli_env: CliRunner, pg_app: Flask) -> None:
    result = cli_env.invoke(main, ["admin", "token", "create", "owner", "--all-scopes"])
    assert result.exit_code == 0, result.output
    assert sorted(_token(pg_app, "owner").scopes) == sorted(services.SCOPES)
