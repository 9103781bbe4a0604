"""`atelier partners add|list|origins|disable`: the sites that embed the configurator."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from configurator.errors import AtelierError
from configurator.partners import services
from configurator.partners.models import Partner


def _fail(error: AtelierError) -> click.ClickException:
    for item in error.errors:
        click.echo(f"{item.field}: {item.detail}", err=True)
    return click.ClickException(error.operator_message)


def _state(partner: Partner) -> str:
    if partner.disabled_at is None:
        return "active"
    return f"disabled {partner.disabled_at.isoformat(timespec='minutes')}"


@click.group("partners", cls=AppGroup)
def partners_group() -> None:
    """Partners: sites that embed the configurator with a publishable key."""


@partners_group.command("add")
@click.argument("name")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    metavar="ORIGIN",
    help="scheme://host[:port] of the partner's pages; repeat for several (https in production, "
    "except localhost).",
)
def add(name: str, origins: tuple[str, ...]) -> None:
    """Add the partner NAME and print its publishable key."""
    try:
        partner = services.add(name, origins)
    except AtelierError as error:
        raise _fail(error) from error
    click.echo(partner.publishable_key)
    base = current_app.config["ATELIER_PUBLIC_URL"]
    click.echo(
        f"Partner {partner.name!r} may embed from {', '.join(partner.origin_list)}.\n"
        f'Iframe: <iframe src="{base}/embed/PRODUCT?key={partner.publishable_key}"></iframe>\n'
        f"API:    send the header X-Atelier-Key: {partner.publishable_key}\n"
        "The key is publishable (it goes into the partner's pages); see docs/partners.md and "
        "docs/embed.md.",
        err=True,
    )


@partners_group.command("list")
def list_() -> None:
    """List partners: name, publishable key, origins, state."""
    partners = services.list_partners()
    if not partners:
        click.echo("No partners.")
        return
    for partner in partners:
        origins = ",".join(partner.origin_list)
        click.echo(f"{partner.name}\t{partner.publishable_key}\t{origins}\t{_state(partner)}")


@partners_group.command("origins")
@click.argument("name")
@click.option("--add", "added", multiple=True, metavar="ORIGIN", help="An origin to allow; repeatable.")
@click.option("--remove", "removed", multiple=True, metavar="ORIGIN", help="An origin to drop; repeatable.")
def origins(name: str, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
    """Show the origins of the partner NAME, or change them with --add and --remove."""
    try:
        if added or removed:
            partner = services.change_origins(name, added, removed)
        else:
            partner = services.find(name)
    except AtelierError as error:
        raise _fail(error) from error
    for origin in partner.origin_list:
        click.echo(origin)


@partners_group.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable the partner NAME: its key is refused from the next request on."""
    try:
        partner = services.disable(name)
    except AtelierError as error:
        raise _fail(error) from error
    assert partner.disabled_at is not None
    click.echo(f"Disabled {partner.name} at {partner.disabled_at.isoformat(timespec='seconds')}.")
