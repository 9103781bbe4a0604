"""The schema changes only through migrations: after upgrading, the models and the database agree."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from configurator.extensions import db


def differences(app: Flask) -> list[Any]:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_postgres_schema_matches_the_models(pg_app: Flask) -> None:
    assert differences(pg_app) == []


def test_sqlite_schema_matches_the_models(app: Flask) -> None:
    assert differences(app) == []


def test_a_model_change_without_a_migration_is_caught(app: Flask) -> None:
    # Given a column the migrations do not know about
    from sqlalchemy import Column, Integer

    table = db.metadata.tables["designs"]
    extra = Column("not_migrated", Integer, nullable=True)
    table.append_column(extra)
    try:
        # Then the comparison names it
        found = differences(app)
    finally:
        table._columns.remove(extra)  # leave the shared metadata as it was
    assert any("not_migrated" in repr(d) for d in found)


def test_downgrade_then_upgrade_round_trips(pg_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    from configurator import MIGRATIONS

    with pg_app.app_context():
        db.session.remove()
        downgrade(directory=str(MIGRATIONS), revision="base")
        upgrade(directory=str(MIGRATIONS))
    assert differences(pg_app) == []
