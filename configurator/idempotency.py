"""Idempotency keys for POST endpoints: a client retrying a request with the same `Idempotency-Key`
header gets the first answer again, status and body, and the work is done once.

The first request with a key claims it by inserting its row, committed before any work starts; the
unique key makes concurrent duplicates fail that insert (on PostgreSQL they wait for the first
insert to commit), and they then poll the row until the first request stores its answer, which they
replay. The key is bound to its request by a fingerprint (sha256 of method, path and body): the same
key with another request is refused (422 `idempotency-key-reused`).

Only successful answers (2xx) are kept. A request that fails releases its key, so the client can fix
the problem and retry with the same key. Keys expire after `KEY_TTL`; a claim whose request never
answered (its process died) is taken over after `CLAIM_LEASE`, which is safe for endpoints that are
idempotent by themselves as well (checkout is: one order per cart).

Written here because no maintained Flask library does this: the known ones keep answers in a cache
rather than in the transaction's database, so concurrent duplicates can both do the work.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from celery import shared_task
from flask import Response, current_app, make_response, request
from sqlalchemy import Integer, String, Text, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from configurator.dbtypes import Json, UtcDateTime, utcnow
from configurator.errors import AtelierError, ErrorCode, FieldError, ValidationFailed
from configurator.extensions import db

HEADER: Final = "Idempotency-Key"
REPLAYED_HEADER: Final = "Idempotent-Replayed"
MAX_KEY_LENGTH: Final = 255
KEY_TTL: Final = timedelta(hours=24)
# A claim older than this without an answer is abandoned (its request died): another may take it over.
CLAIM_LEASE: Final = timedelta(minutes=2)
# How long a duplicate waits for the first request's answer before answering 409 itself.
WAIT_SECONDS: Final = 30.0
_POLL_FIRST, _POLL_MOST = 0.02, 0.5
# Headers replayed with the body; the others are the endpoint's own to set again (Cache-Control...).
_KEPT_HEADERS: Final = ("Content-Type", "Location")

OPENAPI_PARAMETER: Final = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "A unique value per intended operation (a UUID). A retry with the same key and the "
    "same body answers the first response again (with `Idempotent-Replayed: true`) without doing the "
    "work twice; the same key with another body is refused (422 idempotency-key-reused), and while the "
    "first request is still at work a retry waits for it, up to 30 s (then 409 idempotency-key-in-use). "
    "Only successful answers are kept, for 24 hours.",
}

View = TypeVar("View", bound=Callable[..., Any])


class IdempotencyKey(db.Model):  # type: ignore[name-defined]
    """A key a client sent, the request it was first used with, and the answer once there is one."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # None while the first request is still at work.
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers: Mapped[dict[str, str] | None] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class IdempotencyKeyReused(AtelierError):
    """The key was first used with another request (another body, path or method)."""

    status = 422
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED
    title = "Idempotency key reused"


class IdempotencyKeyInUse(AtelierError):
    """The first request with this key is still at work after we waited for it."""

    status = 409
    code = ErrorCode.IDEMPOTENCY_KEY_IN_USE
    title = "Idempotency key in use"


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What binds a key to its request: sha256 of method, path and body.

    >>> first = fingerprint("POST", "/carts/x/checkout", b"{}")
    >>> first == fingerprint("POST", "/carts/x/checkout", b"{}"), first == fingerprint("POST", "/b", b"{}")
    (True, False)
    """
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # lengths first: no two requests share a digest
        digest.update(part)
    return digest.hexdigest()


def idempotent(view: View) -> View:
    """Make a POST view honour the `Idempotency-Key` header (without the header it runs as before).

    Put it above `@blp.arguments` and `@blp.response`, so that it sees the finished response and the
    key is claimed before the body is parsed or any work is done.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        _check_key(key)
        # Cached: the view's own parser reads the same bytes again.
        printed = fingerprint(request.method, request.path, request.get_data(cache=True))
        stored = _claim(key, printed)
        if stored is not None:
            return _replay(stored)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            _release(key)
            raise
        if 200 <= response.status_code < 300:
            _store(key, response)
        else:
            _release(key)
        return response

    return wrapper  # type: ignore[return-value]


def _check_key(key: str) -> None:
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        detail = f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID is fine)."
        raise ValidationFailed(detail, errors=[FieldError(HEADER, detail, location="header")])


def _claim(key: str, printed: str) -> _Seen | None:
    """Claim `key` for this request (None), or the stored row whose answer to replay."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause = _POLL_FIRST
    while True:
        if _insert(key, printed):
            return None
        row = _read(key)
        now = utcnow()
        if row is None:
            continue  # released or expired in between: try to claim it again
        if row.created_at < now - KEY_TTL:
            _expire(key, row.created_at)
            continue
        if row.fingerprint != printed:
            raise IdempotencyKeyReused(
                f"This {HEADER} was used with another request; use a new key for a new request."
            )
        if row.status is not None:
            return row
        if row.claimed_at < now - CLAIM_LEASE and _take_over(key, row.claimed_at):
            return None
        if time.monotonic() >= deadline:
            raise IdempotencyKeyInUse(
                f"A request with this {HEADER} is still being processed; retry in a moment.",
                headers={"Retry-After": "1"},
            )
        time.sleep(pause)
        pause = min(pause * 2, _POLL_MOST)


def _insert(key: str, printed: str) -> bool:
    # Committed on its own, before the work: the unique key is the lock duplicates run into.
    db.session.add(IdempotencyKey(key=key, fingerprint=printed))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


@dataclass(frozen=True)
class _Seen:
    """A key's row as read once (the row itself may change or go while we wait)."""

    fingerprint: str
    status: int | None
    body: str | None
    headers: dict[str, str] | None
    created_at: datetime
    claimed_at: datetime


def _read(key: str) -> _Seen | None:
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.key == key).execution_options(populate_existing=True)
    )
    seen = None
    if row is not None:
        seen = _Seen(row.fingerprint, row.status, row.body, row.headers, row.created_at, row.claimed_at)
    # Ends the transaction, so that no snapshot or lock outlives the look.
    db.session.commit()
    return seen


def _expire(key: str, created_at: datetime) -> None:
    db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.key == key, IdempotencyKey.created_at == created_at)
    )
    db.session.commit()


def _take_over(key: str, claimed_at: datetime) -> bool:
    # Conditional on the claim time read: of several requests taking over, one wins.
    taken = db.session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.key == key,
            IdempotencyKey.status.is_(None),
            IdempotencyKey.claimed_at == claimed_at,
        )
        .values(claimed_at=utcnow())
    )
    db.session.commit()
    return bool(getattr(taken, "rowcount", 0) == 1)


def _store(key: str, response: Response) -> None:
    kept = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == key)
        .values(status=response.status_code, body=response.get_data(as_text=True), headers=kept)
    )
    db.session.commit()


def _release(key: str) -> None:
    db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.key == key, IdempotencyKey.status.is_(None))
    )
    db.session.commit()


def _replay(row: _Seen) -> Response:
    response = current_app.response_class(row.body or "", status=row.status)
    for name, value in (row.headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def purge_expired(now: datetime | None = None) -> int:
    """Delete the keys older than `KEY_TTL`; how many were deleted. Commits."""
    cutoff = (now or utcnow()) - KEY_TTL
    deleted = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)


@shared_task(name="idempotency.purge_expired")
def purge_expired_task() -> int:
    """Beat's hourly clean-up of expired idempotency keys."""
    return purge_expired()
