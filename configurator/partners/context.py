"""The partner whose key the current request carries, for services that attribute what they make.

Services call `current_partner_id()` instead of reading the request, so they work unchanged in
commands, tasks and tests (where there is no partner).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import g, has_request_context

if TYPE_CHECKING:
    from configurator.partners.models import Partner


def current_partner() -> Partner | None:
    """The partner of the current request (set by configurator.partners.http), else None."""
    if not has_request_context():
        return None
    partner: Partner | None = g.get("partner")
    return partner


def current_partner_id() -> int | None:
    """The id of `current_partner()`, or None."""
    partner = current_partner()
    return partner.id if partner is not None else None
