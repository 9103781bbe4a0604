"""`atelier rules publish|diff`: the merchant's commands that work on the configured database
(ATELIER_DATABASE_URL)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
from flask.cli import with_appcontext

from configurator.catalog import versions
from configurator.catalog.errors import CatalogInvalid
from configurator.publishing import services as publishing
from configurator.publishing.errors import BrandChangeUnconfirmed
from configurator.publishing.impact import Impact, PriceChanges, impact

SHOWN = 20  # broken designs listed per product; the rest are counted


def _snapshot(folder: Path) -> versions.Snapshot:
    """The folder read and checked as `atelier rules check` checks it: errors (nothing published) and
    warnings printed as it prints them."""
    try:
        snapshot = versions.read_snapshot(folder)
    except CatalogInvalid as error:
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=diagnostic.severity == "error")
        raise click.ClickException(
            f"{folder} does not pass `atelier rules check`; nothing was published."
        ) from error
    for diagnostic in snapshot.warnings:
        click.echo(str(diagnostic))
    return snapshot


def print_impact(found: Impact, *, published: bool = False) -> None:
    """The designs and cart lines a new version rejects, grouped by product, with the rules in the way;
    then a brand change and the totals that change."""
    if not found.broken:
        click.echo("No saved design or open cart line is made invalid.")
    else:
        click.echo(
            f"Made invalid: {len(found.designs)} saved design(s), "
            f"{len(found.cart_lines)} line(s) in open carts."
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
    change = found.brand_change
    if change is not None and published:
        click.echo(f"Another brand: the shop was {change.current} and is now {change.new}.")
    elif change is not None:
        click.echo(
            f"Another brand: the shop is {change.current}, this catalog is {change.new}; "
            "publishing it re-brands the whole shop."
        )
    print_price_changes(found.price_changes)


def print_price_changes(changes: PriceChanges) -> None:
    """The open carts and saved designs whose totals change, old and new (the first ones, then a count)."""
    if not changes.count:
        click.echo("No open cart or saved design changes total.")
        return
    shown = len(changes.listed)
    first = f" (the first {shown} listed)" if shown < changes.count else ""
    click.echo(f"Totals that change: {changes.carts} open cart(s), {changes.designs} saved design(s){first}.")
    for change in changes.listed:
        where = (
            f"cart {change.cart}"
            if change.kind == "cart"
            else f"design {change.design} ({change.product_key})"
        )
        old = _amount(change.old_total, change.currency, change.old_tax_included)
        if change.new_total is None or change.new_tax_included is None:
            click.echo(f"  {where}: {old} -> cannot be priced: {change.note}")
        else:
            click.echo(
                f"  {where}: {old} -> {_amount(change.new_total, change.currency, change.new_tax_included)}"
            )
    if shown < changes.count:
        click.echo(f"  ... and {changes.count - shown} more")


def _amount(total: Decimal, currency: str, tax_included: bool) -> str:
    return f"{total:f} {currency} ({'tax included' if tax_included else 'tax added'})"


@click.command("publish")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--confirm-brand-change",
    is_flag=True,
    help="Publish although the catalog's brand key is not the live brand's (it re-brands the shop).",
)
def publish(folder: Path, confirm_brand_change: bool) -> None:
    """Check a catalog folder as `rules check` does and publish every changed product as a new
    immutable version. Another brand than the live one needs --confirm-brand-change."""
    snapshot = _snapshot(folder)
    try:
        published = publishing.publish(snapshot, confirm_brand_change=confirm_brand_change)
    except BrandChangeUnconfirmed as error:
        print_impact(error.impact)
        change = error.impact.brand_change
        assert change is not None
        raise click.ClickException(
            f"{folder} is the brand {change.new}, not the live {change.current}: nothing was "
            "published. If re-branding the shop is what you mean, add --confirm-brand-change."
        ) from error
    result = published.result
    for key, version in result.created.items():
        click.echo(f"{key}: published version {version.id} ({version.content_hash[:12]})")
    for key, version in result.reactivated.items():
        click.echo(f"{key}: version {version.id} is live again ({version.content_hash[:12]})")
    for key, version in result.unchanged.items():
        click.echo(f"{key}: unchanged (version {version.id})")
    print_impact(published.impact, published=True)


@click.command("diff")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def diff(folder: Path) -> None:
    """What publishing FOLDER would change: the saved designs and open carts it would break, a brand
    change, and the totals that change."""
    found = impact(_snapshot(folder))
    if not found.changed:
        click.echo("Nothing to publish: every product is already live as it is.")
        return
    click.echo(f"Would publish: {', '.join(found.changed)}")
    print_impact(found)
