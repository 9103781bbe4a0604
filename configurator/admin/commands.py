"""`atelier availability list|sold-out|pause|clear`: options off sale without publishing, from a shell
(the same services as the admin API's /availability)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from configurator.admin import availability
from configurator.errors import AtelierError


def _fail(error: AtelierError) -> click.ClickException:
    for item in error.errors:
        click.echo(f"{item.field}: {item.detail}", err=True)
    return click.ClickException(error.operator_message)


def _messages(given: tuple[str, ...]) -> dict[str, str] | None:
    """`--message fr="Le noyer revient au printemps."` pairs as a language -> text mapping."""
    found: dict[str, str] = {}
    for item in given:
        language, sep, text = item.partition("=")
        if not sep or not language.strip() or not text.strip():
            raise click.BadParameter(f"{item!r}: write LANGUAGE=TEXT, e.g. en='Back in spring.'")
        found[language.strip()] = text
    return found or None


def _moment(text: str) -> datetime:
    """An ISO 8601 moment; one without a time zone is read as UTC (said so in --help)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r} is not a moment such as 2026-12-24T09:00Z") from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


MESSAGE = click.option(
    "--message",
    "messages",
    multiple=True,
    metavar="LANGUAGE=TEXT",
    help="What shoppers read beside the option, per language; repeatable. Default: our own wording.",
)


def _line(option: dict[str, object]) -> str:
    state = str(option["state"])
    if state == "paused" and isinstance(option["until"], datetime):
        state += f" until {option['until'].isoformat(timespec='minutes')}"
    reason = option["reason"]
    said = f"\t{reason.get('en', next(iter(reason.values())))}" if isinstance(reason, dict) else ""
    return f"{option['product_key']}\t{option['attribute_key']}\t{option['option_key']}\t{state}{said}"


@click.group("availability", cls=AppGroup)
def availability_group() -> None:
    """Options off sale without publishing: sold out, or paused until a moment."""


@availability_group.command("list")
@click.option("--product", help="Only this product's options.")
@click.option("--all", "every", is_flag=True, help="Options on sale too.")
def list_(product: str | None, every: bool) -> None:
    """List the options off sale now (with --all, every option of the live products)."""
    try:
        products = availability.overview(product, "en")
    except AtelierError as error:
        raise _fail(error) from error
    lines = [
        _line(option)
        for found in products
        for attribute in found["attributes"]
        for option in attribute["options"]
        if every or not option["available"]
    ]
    click.echo("\n".join(lines) if lines else "Every option is on sale.")


@availability_group.command("sold-out")
@click.argument("product")
@click.argument("attribute")
@click.argument("option")
@MESSAGE
def sold_out(product: str, attribute: str, option: str, messages: tuple[str, ...]) -> None:
    """Mark OPTION of ATTRIBUTE of PRODUCT sold out until further notice (at once, no publishing)."""
    try:
        availability.mark(product, attribute, option, until=None, message=_messages(messages), by="cli")
    except AtelierError as error:
        raise _fail(error) from error
    click.echo(f"{product}.{attribute}.{option} is sold out.")


@availability_group.command("pause")
@click.argument("product")
@click.argument("attribute")
@click.argument("option")
@click.option("--until", "until", required=True, help="When it is back by itself: ISO 8601 (UTC if no zone).")
@MESSAGE
def pause(product: str, attribute: str, option: str, until: str, messages: tuple[str, ...]) -> None:
    """Pause OPTION of ATTRIBUTE of PRODUCT until a moment; it comes back by itself then."""
    moment = _moment(until)
    try:
        availability.mark(product, attribute, option, until=moment, message=_messages(messages), by="cli")
    except AtelierError as error:
        raise _fail(error) from error
    click.echo(f"{product}.{attribute}.{option} is paused until {moment.isoformat(timespec='minutes')}.")


@availability_group.command("clear")
@click.argument("product")
@click.argument("attribute")
@click.argument("option")
def clear(product: str, attribute: str, option: str) -> None:
    """Put OPTION of ATTRIBUTE of PRODUCT back on sale."""
    try:
        availability.clear(product, attribute, option)
    except AtelierError as error:
        raise _fail(error) from error
    click.echo(f"{product}.{attribute}.{option} is on sale.")
