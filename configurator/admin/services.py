"""Admin tokens: created with scopes and shown once, stored as a SHA-256 hash, revoked by name.

A token is `atk_` followed by 32 random bytes (base64url). Only its hash and a short display prefix
are stored, so a copy of the database cannot be replayed against the API. A token's scopes are fixed
when it is made: there is no wildcard that would quietly grant operations added later.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from configurator.admin.errors import TokenInvalid, TokenNotFound, Unauthorized
from configurator.admin.models import AdminToken
from configurator.dbtypes import utcnow
from configurator.errors import FieldError
from configurator.extensions import db

TOKEN_PREFIX = "atk_"
DISPLAY_LENGTH = 12  # "atk_" and 8 random characters: enough to tell tokens apart, useless to guess
MAX_TOKEN_LENGTH = 200  # far above a real token; longer headers are refused before hashing
# Writing last_used_at on every request would turn each read into a write; once a minute is enough
# to tell a token in use from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

SCOPES: dict[str, str] = {
    "orders:read": "List, read and export orders",
    "orders:write": "Advance an order's state (in production, shipped, cancelled, refunded)",
    "designs:read": "List and read saved designs",
    "catalog:read": "List published rule set versions",
    "catalog:publish": "Check and publish rule sets; take options off sale and put them back",
    "insights:read": "Read and export insights (counts only: no order, shopper or contact details)",
    "community:moderate": "Moderate the gallery and set the status of ideas",
    "campaigns:manage": "Create, read and close campaigns (closing an edition charges its pre-orders)",
}


@dataclass(frozen=True)
class CreatedToken:
    """A new token: the row, and the plain token, which is never available again."""

    token: AdminToken
    plain: str


def hash_token(plain: str) -> str:
    """The stored form of a token.

    >>> len(hash_token("atk_example"))
    64
    """
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(name: str, scopes: Iterable[str]) -> CreatedToken:
    """A new token with these scopes; commits. The plain token is in the result and nowhere else."""
    wanted = sorted(set(scopes))
    errors: list[FieldError] = []
    if not NAME_PATTERN.match(name):
        errors.append(
            FieldError(
                "name",
                "Use 1 to 64 letters, digits, dots, dashes or underscores, starting "
                "with a letter or a digit.",
            )
        )
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        errors.append(
            FieldError("scopes", f"Unknown scope {', '.join(unknown)}; known: {', '.join(SCOPES)}.")
        )
    if not wanted:
        errors.append(FieldError("scopes", "Give at least one scope."))
    if not errors and db.session.scalar(select(AdminToken.id).where(AdminToken.name == name)):
        # Revoked tokens keep their name: an audit trail saying "admin:ci" must name one token.
        errors.append(FieldError("name", f"A token named {name!r} exists already (perhaps revoked)."))
    if errors:
        raise TokenInvalid("; ".join(e.detail for e in errors), errors=errors)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AdminToken(name=name, token_hash=hash_token(plain), prefix=plain[:DISPLAY_LENGTH], scopes=wanted)
    db.session.add(token)
    db.session.commit()
    return CreatedToken(token, plain)


def list_tokens() -> list[AdminToken]:
    """Every token, revoked ones included, oldest first."""
    return list(db.session.scalars(select(AdminToken).order_by(AdminToken.created_at, AdminToken.id)))


def revoke_token(name: str) -> AdminToken:
    """Revoke a token by name; commits. Revoking twice keeps the first revocation time."""
    token = db.session.scalar(select(AdminToken).where(AdminToken.name == name))
    if token is None:
        raise TokenNotFound(f"No admin token is named {name!r}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def authenticate(plain: str) -> AdminToken:
    """The live token this plain text is, or `Unauthorized` (the same answer whatever is wrong)."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > MAX_TOKEN_LENGTH:
        raise Unauthorized("The bearer token is not valid.", invalid_token=True)
    digest = hash_token(plain)
    # The lookup is by hash: timing reveals nothing about a token a caller does not already hold.
    token = db.session.scalar(select(AdminToken).where(AdminToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        raise Unauthorized("The bearer token is not valid.", invalid_token=True)
    _touch(token)
    return token


def _touch(token: AdminToken) -> None:
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # A conditional UPDATE: concurrent requests with one token write at most once between them.
    db.session.execute(
        update(AdminToken)
        .where(
            AdminToken.id == token.id,
            or_(AdminToken.last_used_at.is_(None), AdminToken.last_used_at < now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def has_scope(token: AdminToken, scope: str) -> bool:
    return scope in (token.scopes or [])
