"""Publishing a checked catalog: one path for `atelier rules publish` and the admin API.

The snapshot has passed every check `atelier rules check` runs (`versions.read_snapshot`); here it is
compared with the live versions (`impact`), refused when it brings another brand unconfirmed, and
stored as one transaction under a lock, so two publishes never race to insert the same version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from configurator.catalog import versions
from configurator.extensions import db
from configurator.publishing.errors import BrandChangeUnconfirmed
from configurator.publishing.impact import Impact, impact

# Any constant of our own: the PostgreSQL advisory lock every publish holds until it commits.
PUBLISH_LOCK = 0x61746C72


@dataclass(frozen=True)
class Published:
    """What a publish stored, and what it changed for saved designs and open carts."""

    result: versions.PublishResult
    impact: Impact


def publish(snapshot: versions.Snapshot, *, confirm_brand_change: bool = False) -> Published:
    """Publish a checked snapshot and commit; `BrandChangeUnconfirmed` (nothing stored) when its brand
    key is not the live one's and the merchant did not confirm it."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})
    try:
        found = impact(snapshot)  # read before publishing: afterwards the new rules are the live ones
        change = found.brand_change
        if change is not None and not confirm_brand_change:
            raise BrandChangeUnconfirmed(
                f"This rule set is for the brand {change.new!r}, but the shop is {change.current!r}: "
                f"publishing it re-brands the whole shop, and {found.price_changes.count} open cart(s) "
                "and saved design(s) change total. Nothing was published; send it again with "
                '"confirm_brand_change": true if that is what you mean.',
                found,
            )
        result = versions.publish(snapshot)
    except BaseException:
        db.session.rollback()  # releases the lock
        raise
    db.session.commit()
    return Published(result, found)
