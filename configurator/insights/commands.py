"""`atelier insights aggregate|report PRODUCT`: the counts, in the terminal."""

from __future__ import annotations

from collections.abc import Sequence

import click
from flask.cli import AppGroup

from configurator.errors import AtelierError
from configurator.insights import compute, services

BAR_WIDTH = 24
BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character, `width` characters for `largest`.

    >>> bar(1, 2, 4), bar(0, 2, 4), bar(3, 3, 2)
    ('██', '', '██')
    """
    if largest <= 0 or value <= 0:
        return ""
    eighths = round(value / largest * width * 8)
    return ("█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")).rstrip()


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One character per value, the tallest for the largest.

    >>> sparkline([0, 1, 2, 4])
    '▁▃▅█'
    """
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[0] if v <= 0 else SPARKS[max(1, round(v / top * 7))] for v in values)


def table(
    header: tuple[str, ...], rows: Sequence[tuple[str, ...]], right: frozenset[int] = frozenset()
) -> list[str]:
    """Aligned columns; the columns in `right` (numbers) aligned right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return ("  " + "  ".join(cells)).rstrip()

    return [line(header), *(line(row) for row in rows)]


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render_report(found: services.Report) -> str:
    """The report's sections as text: popularity, pairs, funnel, blocked demand, trends."""
    scope = f"through {found.partner}" if found.partner else "all channels"
    lines = [
        f"Insights for {found.label} [{found.product}], {found.first_day} to {found.last_day} "
        f"({found.days} days, {scope}); {found.designs} ordered design{'s' if found.designs != 1 else ''}.",
    ]
    if found.last_counted is None:
        lines.append(
            "Nothing counted yet: run `atelier insights aggregate` (the worker's beat does it hourly)."
        )
    elif found.counted_at is not None:
        lines.append(f"Counted at {found.counted_at:%Y-%m-%d %H:%M} UTC (the worker's beat recounts hourly).")

    lines += ["", "Option popularity (picked: consenting shoppers' picks; ordered: paid order lines)"]
    for attribute in found.popularity:
        lines.append(f"  {attribute.label} [{attribute.attribute}]")
        largest = max((o.ordered for o in attribute.options), default=0)
        rows: list[tuple[str, ...]] = [
            (
                f"{o.label} [{o.option}]" if o.label != o.option else o.option,
                str(o.picked),
                str(o.refused),
                str(o.ordered),
                _rate(o.share),
                bar(o.ordered, largest),
            )
            for o in attribute.options
        ]
        lines += [
            "  " + row
            for row in table(
                ("option", "picked", "refused", "ordered", "share", ""), rows, frozenset({1, 2, 3, 4})
            )
        ]

    lines += ["", "Options ordered together (lift > 1: more often than chance)"]
    if found.pairs:
        rows = [
            (
                f"{p.attribute}={p.option}",
                f"{p.other_attribute}={p.other_option}",
                str(p.count),
                f"{p.lift:.2f}",
            )
            for p in found.pairs
        ]
        lines += table(("option", "with", "designs", "lift"), rows, frozenset({2, 3}))
    else:
        lines.append(f"  No pair ordered together at least {services.PAIR_MINIMUM} times yet.")

    lines += ["", "Funnel (distinct consenting shoppers; orders: every paid order)"]
    lines += _funnel_lines(found.funnel)
    if len(found.funnel_by_partner) > 1 or any(f.partner for f in found.funnel_by_partner):
        for channel in found.funnel_by_partner:
            lines += ["", f"  Through {channel.partner or 'the storefront'}"]
            lines += _funnel_lines(channel)

    lines += ["", "Blocked demand (options shoppers tried that a rule excluded)"]
    if found.blocked:
        rows = [
            (str(b.count), b.rule or "-", f"{b.attribute}={b.option}", b.message or "") for b in found.blocked
        ]
        lines += table(("tries", "rule", "option", "message"), rows, frozenset({0}))
    else:
        lines.append("  No option was refused.")

    lines += ["", "Trends (per day, oldest first; change against the previous window)"]
    rows = [
        (t.metric, str(t.total), _change(t.total, t.previous_total), sparkline([n for _d, n in t.series]))
        for t in found.trends
    ]
    lines += table(("metric", "total", "change", "per day"), rows, frozenset({1, 2}))
    return "\n".join(lines)


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "-"
    return f"{(now - before) / before:+.0%}"


def _funnel_lines(funnel: compute.Funnel) -> list[str]:
    largest = max((s.shoppers for s in funnel.steps), default=0)
    rows = [(s.stage, str(s.shoppers), _rate(s.rate), bar(s.shoppers, largest)) for s in funnel.steps]
    rows.append(("paid orders", str(funnel.orders), "", ""))
    return table(("stage", "shoppers", "of viewed", ""), rows, frozenset({1, 2}))


@click.group("insights", cls=AppGroup)
def insights_group() -> None:
    """What shoppers and paid orders say about the products (needs ATELIER_DATABASE_URL)."""


@insights_group.command("aggregate")
@click.option(
    "--since",
    "since",
    default=2,
    show_default=True,
    type=click.IntRange(1, services.MAX_DAYS),
    help="How many days to rebuild, ending today (UTC).",
)
def aggregate(since: int) -> None:
    """Count the last days' events and paid orders into insights again (safe to repeat)."""
    done = services.aggregate_since(since)
    for day in done:
        click.echo(f"{day.day}: {'being rebuilt by another run' if day.busy else f'{day.rows} counts'}")


@insights_group.command("report")
@click.argument("product")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, services.MAX_DAYS))
@click.option("--partner", default=None, help="Only what came through this partner (its name).")
def report(product: str, days: int, partner: str | None) -> None:
    """PRODUCT's popularity, pairs, funnel, blocked demand and trends over the last DAYS days."""
    try:
        found = services.report(product, days, partner)
    except AtelierError as error:
        raise click.ClickException(error.operator_message) from error
    click.echo(render_report(found))
