"""Who the current request comes from: the consenting shopper it speaks for, and the partner whose page
sent it.

Services call these instead of reading the request, so they work unchanged in commands, tasks and tests
(where there is no shopper and no partner). Every domain may read them; only `configurator.partners.http`
sets the partner, after checking the request's publishable key and origin.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, g, has_request_context, request

from configurator.dbtypes import looks_like_token
from configurator.ratelimit import client_address

# A partner's publishable key: its pages and its embed page send it with every API call.
KEY_HEADER = "X-Atelier-Key"
# Sent by the shop's pages only while the shopper consents; the server checks the consent again
# before keeping anything.
SHOPPER_HEADER = "X-Atelier-Shopper"


def current_shopper_token() -> str | None:
    """The pseudonymous shopper id the request carries, if it could be one of ours; else None."""
    if not has_request_context():
        return None
    token = request.headers.get(SHOPPER_HEADER)
    return token if token is not None and looks_like_token(token) else None


def current_partner_id() -> int | None:
    """The id of the partner whose checked key the current request carries, else None."""
    if not has_request_context():
        return None
    partner_id: int | None = g.get("partner_id")
    return partner_id


def current_device() -> str:
    """A keyed hash of the network address the request comes from (the address the rate limits
    count, behind the trusted proxies): enough to tell one machine's votes apart, never the address
    itself, and not comparable across shops (the key is the app's secret). "none" outside requests."""
    if not has_request_context():
        return "none"
    address = client_address(request, int(current_app.config.get("ATELIER_TRUSTED_PROXIES") or 0))
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
