"""`atelier insights suggest-defaults PRODUCT`: the merchant's view of what shoppers actually order."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from configurator.errors import AtelierError
from configurator.recommendations import services
from rules.model import Value


def _show(value: Value) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)


def render_suggestion(found: services.Suggestion) -> str:
    """The suggested design as a table: value, share of the ordered units, orders, today's default."""
    orders = f"{found.orders} paid order{'s' if found.orders != 1 else ''}"
    lines = [
        f"Suggested defaults for {found.product}: the most chosen valid design in {orders} "
        f"({found.units:g} units)."
    ]
    header = ("attribute", "suggested", "share", "orders", "default now", "")
    rows = [
        (
            f"{item.label} [{item.attribute}]",
            _show(item.value),
            f"{item.share:.0%}",
            f"{item.orders} of {found.orders}",
            _show(item.current),
            "differs" if item.differs else "same",
        )
        for item in found.evidence
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append(
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    changed = sum(item.differs for item in found.evidence)
    lines.append(
        f"{changed} default{'s' if changed != 1 else ''} would change. The share counts ordered units with "
        "the attribute; the design as a whole is valid. To adopt it, set each `default:` in the product "
        "file and publish."
    )
    return "\n".join(lines)


@click.command("suggest-defaults")
@with_appcontext
@click.argument("product")
def suggest_defaults(product: str) -> None:
    """PRODUCT's most chosen valid design among paid orders, attribute by attribute, with the evidence."""
    try:
        found = services.suggest_defaults(product)
    except AtelierError as error:
        raise click.ClickException(error.operator_message) from error
    if found.orders == 0:
        click.echo(
            f"No paid orders of {product} yet: nothing to suggest. Defaults can be suggested once "
            "shoppers have ordered it (paid, in production or shipped)."
        )
        return
    click.echo(render_suggestion(found))
