"""Column types and helpers shared by every domain's models."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

# JSON documents (picks, price lines, addresses): JSONB on PostgreSQL, JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")

# Money: exact, with room for four decimal places (prices are quantised per currency before storing).
MONEY = Numeric(14, 4, asdecimal=True)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC datetimes only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


def public_token(nbytes: int = 18) -> str:
    """An unguessable URL-safe identifier (144 bits by default): ids shoppers hold are never sequential."""
    return secrets.token_urlsafe(nbytes)


_TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def looks_like_token(value: str, max_length: int = 64) -> bool:
    """Whether a value could be one of our tokens; anything else is not looked up at all (a NUL byte
    or a megabyte of text never reaches the database)."""
    return 0 < len(value) <= max_length and _TOKEN_CHARACTERS.issuperset(value)
