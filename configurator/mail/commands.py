"""`atelier mail flush`: send again the outbox messages a lost enqueue left pending."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from configurator.mail.tasks import requeue, stale_messages


@click.group("mail", cls=AppGroup)
def mail_group() -> None:
    """The e-mail outbox."""


@mail_group.command("flush")
@click.option(
    "--older-than",
    type=click.IntRange(min=0),
    default=None,
    metavar="MINUTES",
    help="Only messages nobody tried for this long (default: ATELIER_MAIL_SWEEP_MINUTES; 0 for all).",
)
def flush(older_than: int | None) -> None:
    """Enqueue every pending message nobody has tried to send for a while (the beat sweep does the
    same every few minutes; this is for a shop that runs no beat, or an operator in a hurry)."""
    minutes = current_app.config["ATELIER_MAIL_SWEEP_MINUTES"] if older_than is None else older_than
    count = requeue(stale_messages(timedelta(minutes=minutes)))
    click.echo(f"{count} pending message{'s' if count != 1 else ''} enqueued")
