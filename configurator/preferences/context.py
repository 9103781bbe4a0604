"""The shopper the current request speaks for, named by the `X-Atelier-Shopper` header.

Services call `current_shopper_token()` instead of reading the request, so they work unchanged in
commands, tasks and tests (where there is no shopper). The header is sent by the shop's pages only
while the shopper consents; the server checks the consent again before keeping anything.
"""

from __future__ import annotations

from flask import has_request_context, request

from configurator.dbtypes import looks_like_token

SHOPPER_HEADER = "X-Atelier-Shopper"


def current_shopper_token() -> str | None:
    """The pseudonymous shopper id the request carries, if it could be one of ours; else None."""
    if not has_request_context():
        return None
    token = request.headers.get(SHOPPER_HEADER)
    return token if token is not None and looks_like_token(token) else None
