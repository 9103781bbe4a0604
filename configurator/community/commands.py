"""`atelier campaigns close-due | list`: decide campaigns past their deadline without a beat, and see
where each stands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from configurator.community import campaigns
from configurator.community.models import CampaignKind, CampaignStatus
from configurator.community.tasks import close_due


@click.group("campaigns", cls=AppGroup)
def campaigns_group() -> None:
    """Votes on what to make next, and limited editions."""


@campaigns_group.command("close-due")
def close_due_command() -> None:
    """Decide every campaign past its deadline and settle its pre-orders (the beat does this every
    minute; this is for a shop that runs no beat, or an operator in a hurry). Safe to run any time:
    a decided campaign is left as it is."""
    decided = close_due()
    click.echo(f"{decided} campaign{'s' if decided != 1 else ''} decided")


@campaigns_group.command("list")
@click.option(
    "--status", type=click.Choice([s.value for s in CampaignStatus]), default=None, help="Only this status."
)
def list_command(status: str | None) -> None:
    """Every campaign: its id, kind, status, deadline, and its votes or pre-ordered pieces."""
    chosen = [CampaignStatus(status)] if status else list(CampaignStatus)
    for campaign in campaigns.listing(chosen, None):
        if campaign.kind == CampaignKind.EDITION:
            standing = f"{campaigns.reserved_quantity(campaign)}/{campaign.threshold} pre-ordered"
        else:
            standing = f"{sum(n for _c, n in campaigns.results(campaign))} votes"
        click.echo(
            f"{campaign.public_id}  {campaign.kind:7}  {campaign.status:9}  "
            f"closes {campaign.closes_at:%Y-%m-%d %H:%M} UTC  {standing}  {campaign.title}"
        )
