"""Alembic environment: runs with the Flask app's engine and metadata (via Flask-Migrate)."""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app
from sqlalchemy import TypeDecorator

config = context.config
database = current_app.extensions["migrate"].db


def render_item(kind: str, item: Any, autogen_context: Any) -> str | bool:
    """Write the app's column types as the plain SQLAlchemy types they store, so a revision never
    imports application code that may change after it was written."""
    if kind == "type" and isinstance(item, TypeDecorator):
        impl = item.impl_instance if hasattr(item, "impl_instance") else item.impl
        autogen_context.imports.add("import sqlalchemy as sa")
        return f"sa.{impl!r}"
    return False


def run_migrations_online() -> None:
    arguments = dict(current_app.extensions["migrate"].configure_args)
    arguments.setdefault("render_item", render_item)

    def skip_empty(context_: Any, revision: Any, directives: list[Any]) -> None:
        # `flask db migrate` with nothing to change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    arguments.setdefault("process_revision_directives", skip_empty)
    with database.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=database.metadata, **arguments)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Atelier's migrations run online only: point ATELIER_DATABASE_URL at the database.")
run_migrations_online()
