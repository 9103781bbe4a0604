"""`atelier rules publish|diff` and `atelier db upgrade`: the merchant's and the operator's commands
that work on the configured database (ATELIER_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask

from configurator.catalog import versions
from configurator.catalog.errors import CatalogInvalid
from configurator.catalog.impact import Impact, impact
from configurator.errors import AtelierError
from configurator.extensions import db

SHOWN = 20  # broken designs listed per product; the rest are counted


@contextmanager
def app_context() -> Iterator[Flask]:
    """The configured app's context for one command; its connections are closed at the end."""
    from configurator import create_app

    try:
        app = create_app({"ATELIER_AUTO_SETUP": False})
    except AtelierError as error:
        raise click.ClickException(error.detail) from error
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _snapshot(folder: Path) -> versions.Snapshot:
    try:
        return versions.read_snapshot(folder)
    except CatalogInvalid as error:
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
        raise click.ClickException(f"{folder} does not load; nothing was published.") from error


def print_impact(found: Impact) -> None:
    """The designs and cart lines a new version rejects, grouped by product, with the rules in the way."""
    if not found.broken:
        click.echo("No saved design or open cart line is made invalid.")
        return
    click.echo(
        f"Made invalid: {len(found.designs)} saved design(s), {len(found.cart_lines)} line(s) in open carts."
    )
    for key in found.changed:
        mine = [b for b in found.broken if b.product_key == key]
        for broken in mine[:SHOWN]:
            where = f"cart line {broken.cart_line}" if broken.cart_line is not None else "design"
            messages = "; ".join(
                f"{r}: {v.message.get()}" for r, v in zip(broken.rules(), broken.violations, strict=True)
            )
            click.echo(f"  {key} {where} {broken.design}: {messages}")
        if len(mine) > SHOWN:
            click.echo(f"  {key}: {len(mine) - SHOWN} more")


@click.command("publish")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def publish(folder: Path) -> None:
    """Check a catalog folder and publish every changed product as a new immutable version."""
    with app_context():
        snapshot = _snapshot(folder)
        found = impact(snapshot)
        result = versions.publish(snapshot)
        db.session.commit()
        for key, version in result.created.items():
            click.echo(f"{key}: published version {version.id} ({version.content_hash[:12]})")
        for key, version in result.reactivated.items():
            click.echo(f"{key}: version {version.id} is live again ({version.content_hash[:12]})")
        for key, version in result.unchanged.items():
            click.echo(f"{key}: unchanged (version {version.id})")
        print_impact(found)


@click.command("diff")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def diff(folder: Path) -> None:
    """What publishing FOLDER would change, and which saved designs and open carts it would break."""
    with app_context():
        found = impact(_snapshot(folder))
        if not found.changed:
            click.echo("Nothing to publish: every product is already live as it is.")
            return
        click.echo(f"Would publish: {', '.join(found.changed)}")
        print_impact(found)


@click.group("db")
def db_group() -> None:
    """The database schema (migrations)."""


@db_group.command("upgrade")
def upgrade() -> None:
    """Bring the database schema up to date (run before starting a new release)."""
    from flask_migrate import upgrade as run_upgrade

    from configurator import MIGRATIONS

    with app_context():
        run_upgrade(directory=str(MIGRATIONS))
    click.echo("The database schema is up to date.")
