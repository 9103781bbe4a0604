"""Fixtures shared by the app's tests: an app built on a small test catalog, and its client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from tests.support.services import Postgres, Redis, free_port

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CATALOG = FIXTURES / "catalog"

# Hypothesis times its examples unless told not to (a 200 ms deadline per example, a health check on
# slow generation): on a shared, busy machine those are wall-clock assertions. The tests bound their
# work by max_examples instead.
settings.register_profile("atelier", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("atelier")


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translation catalogs whose .po changed since their .mo (`make catalogs` does the
    same): tests run straight from pytest read the translations as they are in the tree."""
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: the run's main process compiled them before starting it
    from scripts.catalogs import compile_all

    compile_all()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On pytest-xdist's workers (`make pytest`), the tests marked slow come first, the rest in their
    order. Each worker takes the next file as it finishes one, so the longest ones, taken first, run
    beside the many short ones and the workers finish together; taken last, one worker would run a
    slow test alone at the end. Every worker collects the same order, as pytest-xdist requires."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ATELIER_* variables must not change what the tests see; no database file either."""
    for name in list(os.environ):
        if name.startswith("ATELIER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATELIER_DATABASE_URL", "sqlite://")


@pytest.fixture(autouse=True)
def _close_database_connections() -> Iterator[None]:
    """After each test, close the pooled connections of every app it built: an app a test made on its
    own (a second app on a private server, a CLI's app) would otherwise leave its connections to the
    garbage collector, which warns about them in whichever test runs next."""
    yield
    from configurator.extensions import db

    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            # An in-memory SQLite database lives in its one connection: closing it would empty it.
            if engine.url.get_backend_name() != "sqlite" or engine.url.database not in (None, "", ":memory:"):
                engine.dispose()


@pytest.fixture
def test_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "ATELIER_CATALOG": str(TEST_CATALOG),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SECRET_KEY": "test-secret",
        # Uploads, previews and proofs of one test are never seen by another.
        "ATELIER_MEDIA_ROOT": str(tmp_path / "media"),
    }


@pytest.fixture
def app(test_config: dict[str, Any]) -> Iterator[Flask]:
    from configurator import create_app

    return create_app(test_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server for the whole session (started here, stopped at the end); each
    pytest-xdist worker has its own, in its own temporary folder, on a port of its own."""
    # The port is bound only after initdb, seconds later: it is picked where no outgoing connection
    # of the other worker's tests can take it meanwhile.
    server = Postgres.start(port=free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    """A Redis server for the whole session (one per pytest-xdist worker): the Celery broker of the
    integration tests."""
    server = Redis.start(port=free_port())
    yield server
    server.stop()


@pytest.fixture
def pg_config(test_config: dict[str, Any], postgres: Postgres) -> dict[str, Any]:
    return {**test_config, "SQLALCHEMY_DATABASE_URI": postgres.url}


@pytest.fixture
def pg_app(pg_config: dict[str, Any]) -> Iterator[Flask]:
    """The app on PostgreSQL, migrated and with the test catalog published; emptied after the test."""
    from configurator import create_app

    app = create_app(pg_config)
    yield app
    empty_database(app)


@pytest.fixture
def pg_client(pg_app: Flask) -> FlaskClient:
    return pg_app.test_client()


def empty_database(app: Flask) -> None:
    """Remove every row the test wrote (the schema stays: migrating once per session is enough)."""
    from sqlalchemy import text

    from configurator.extensions import db

    with app.app_context():
        db.session.remove()  # a session still holding locks would make TRUNCATE wait forever
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()
