"""`flask mail flush`: send again the outbox messages a lost enqueue left pending."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from configurator.mail.services import requeue, stale_messages

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("flush")
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
    _flush(current_app.config["ATELIER_MAIL_SWEEP_MINUTES"] if older_than is None else older_than)


def _flush(minutes: int) -> None:
    count = requeue(stale_messages(timedelta(minutes=minutes)))
    click.echo(f"{count} pending message{'s' if count != 1 else ''} enqueued")


@click.command("flush")
@click.option(
    "--older-than",
    type=click.IntRange(min=0),
    default=None,
    metavar="MINUTES",
    help="Only messages nobody tried for this long (default: ATELIER_MAIL_SWEEP_MINUTES; 0 for all).",
)
def atelier_flush(older_than: int | None) -> None:
    """Enqueue every pending outbox message nobody has tried to send for a while."""
    from configurator.publishing.commands import app_context

    with app_context() as app:
        _flush(app.config["ATELIER_MAIL_SWEEP_MINUTES"] if older_than is None else older_than)
