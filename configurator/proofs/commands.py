"""`atelier proofs render NUMBER`: render an order's missing proofs again (after a lost enqueue, a
storage outage that outlasted the retries, a file removed from the blob store, or proofs given up
because their rendering kept killing the worker)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from configurator.extensions import db
from configurator.orders.errors import OrderNotFound
from configurator.orders.services import find_by_number
from configurator.proofs.services import try_again
from configurator.proofs.tasks import render_proofs
from configurator.tasks import send_now


@click.group("proofs", cls=AppGroup)
def proofs_group() -> None:
    """Production proofs of paid orders."""


@proofs_group.command("render")
@click.argument("number")
def render(number: str) -> None:
    """Enqueue the rendering of the order's missing proofs (the ones it has are kept)."""
    try:
        order_id = find_by_number(number.strip().upper()).id
    except OrderNotFound as error:
        raise click.ClickException(error.operator_message) from None
    given_up = try_again(order_id)
    db.session.commit()  # an eager task writes through its own session: end this read first
    if given_up is not None:
        click.echo(f"the proofs had been given up ({given_up}); trying again")
    send_now(render_proofs, order_id)
    click.echo(f"proofs of order {number.strip().upper()} enqueued")
