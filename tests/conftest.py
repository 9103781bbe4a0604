"""Fixtures shared by the app's tests: an app built on a small test catalog, and its client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CATALOG = FIXTURES / "catalog"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ATELIER_* variables must not change what the tests see; no database file either."""
    for name in list(os.environ):
        if name.startswith("ATELIER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATELIER_DATABASE_URL", "sqlite://")


@pytest.fixture
def test_config() -> dict[str, Any]:
    return {
        "TESTING": True,
        "ATELIER_CATALOG": str(TEST_CATALOG),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SECRET_KEY": "test-secret",
    }


@pytest.fixture
def app(test_config: dict[str, Any]) -> Iterator[Flask]:
    from configurator import create_app

    return create_app(test_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
