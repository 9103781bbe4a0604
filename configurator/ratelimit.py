"""Per-client rate limits for the expensive endpoints (uploads, uncached preview renders).

A fixed window per (bucket, client): the first request opens a one-minute window, each request counts,
and past the limit the client gets 429 with `Retry-After` until the window closes. A client can at most
double its rate across a window boundary, which is enough to stop a loop from filling the disk or the
render workers; it is not meant as exact metering.

Two backends: in memory (the demo, tests; per process) and Redis (production; shared by every worker).
The Redis URL is ATELIER_RATELIMIT_URL, or else the broker's when that is Redis. If Redis does not
answer, requests are let through: a limiter outage must not take the shop down with it.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

import redis
from flask import Flask, Request, current_app, request

from configurator.errors import AtelierError, ErrorCode
from configurator.wording import too_many_requests

EXTENSION = "atelier.ratelimit"
WINDOW_SECONDS = 60
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_PREFIX = "atelier:ratelimit:"
# Clients with IPv6 usually hold a whole /64: counting single addresses would let one client rotate.
IPV6_PREFIX = 64

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class RateLimited(AtelierError):
    status = 429
    code = ErrorCode.RATE_LIMITED
    title = "Too many requests"


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit: allowed or not, and when the current window ends."""

    allowed: bool
    count: int
    limit: int
    retry_after: int  # whole seconds until the window closes (at least 1)


class Limiter(Protocol):
    def hit(self, key: str, limit: int, window: int) -> Decision:
        """Count one request under `key`; allowed while the window's count stays within `limit`."""
        ...


class MemoryLimiter:
    """Fixed windows in this process's memory; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window end, count)
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, key: str, limit: int, window: int) -> Decision:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                # Forget closed windows now and then, so one-off clients do not pile up forever.
                self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
                self._next_sweep = now + window
            end, count = self._windows.get(key, (0.0, 0))
            if end <= now:
                end, count = now + window, 0
            count += 1
            self._windows[key] = (end, count)
        return Decision(count <= limit, count, limit, max(1, math.ceil(end - now)))


# INCRBY and the expiry in one step: a crash between them would leave a counter that never expires.
_HIT_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass
class _Pending:
    """A key's hits this process has not told Redis yet, and what Redis said last."""

    window_end: float = 0.0  # this process's clock
    counted: int = 0  # the shared count when Redis last answered
    unreported: int = 0


class RedisLimiter:
    """Fixed windows in Redis, shared by every process; Redis's own clock times the windows.

    Hits are reported in batches of `limit // BATCH_DIVISOR` (exact below that many): a busy endpoint
    asks Redis once per batch instead of once per request. Between reports a process decides on the
    last shared count plus its own unreported hits, so the processes together let through at most
    (batch - 1) extra requests each per window: a few percent over a high limit, never over a low one.
    """

    BATCH_DIVISOR = 50

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._script = client.register_script(_HIT_SCRIPT)
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str) -> RedisLimiter:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        return cls(client)

    def hit(self, key: str, limit: int, window: int) -> Decision:
        batch = max(1, limit // self.BATCH_DIVISOR)
        now = self._clock()
        with self._lock:
            pending = self._pending.get(key)
            if pending is None or pending.window_end <= now:
                if len(self._pending) > 10_000:
                    self._pending = {k: p for k, p in self._pending.items() if p.window_end > now}
                pending = self._pending[key] = _Pending()
            pending.unreported += 1
            if pending.window_end > now and pending.unreported < batch:
                count = pending.counted + pending.unreported
                retry_after = max(1, math.ceil(pending.window_end - now))
                return Decision(count <= limit, count, limit, retry_after)
            report, pending.unreported = pending.unreported, 0
        try:
            count, ttl_ms = self._script(keys=[REDIS_PREFIX + key], args=[window * 1000, report])
        except redis.RedisError as error:
            logger.warning("rate limiter unavailable, request let through: %s", error)
            return Decision(True, 0, limit, window)
        count, ttl_seconds = int(count), int(ttl_ms) / 1000
        with self._lock:
            pending.counted = count
            pending.window_end = now + ttl_seconds
        return Decision(count <= limit, count, limit, max(1, math.ceil(ttl_seconds)))


def limiter_url(config: Mapping[str, Any]) -> str | None:
    """The Redis URL to count in, or None for memory.

    >>> limiter_url({"ATELIER_RATELIMIT_URL": "", "ATELIER_BROKER_URL": "redis://broker:6379/0"})
    'redis://broker:6379/0'
    >>> limiter_url({"ATELIER_RATELIMIT_URL": "memory://", "ATELIER_BROKER_URL": "redis://b/0"}) is None
    True
    """
    url = str(config.get("ATELIER_RATELIMIT_URL") or "")
    if url == "memory://":
        return None
    if url:
        return url
    broker = str(config.get("ATELIER_BROKER_URL") or "")
    return broker if broker.startswith(("redis://", "rediss://", "unix://")) else None


_create_lock = threading.Lock()


def limiter(app: Flask | None = None) -> Limiter:
    """The app's limiter, created on first use (no connection is made at start)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(EXTENSION)
    if found is None:
        with _create_lock:
            found = app.extensions.get(EXTENSION)
            if found is None:
                url = limiter_url(app.config)
                found = RedisLimiter.from_url(url) if url else MemoryLimiter()
                app.extensions[EXTENSION] = found
    return found


def client_address(req: Request, trusted_proxies: int = 0) -> str:
    """The client's address as the counting key: the peer, or with `trusted_proxies` proxies in front,
    the address the outermost trusted one saw (X-Forwarded-For is read from the right, as each proxy
    appends; anything further left is whatever the client chose to send). IPv6 clients count per /64."""
    address = req.remote_addr or "unknown"
    if trusted_proxies > 0:
        forwarded = [part.strip() for part in req.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted_proxies:
            address = forwarded[-trusted_proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return req.remote_addr or "unknown"  # a garbled header never becomes a key of its own
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def bucket_limit(bucket: str, per_minute: int) -> int:
    """The limit in force for `bucket`: ATELIER_RATELIMITS may override the code's default (0 = off)."""
    overrides: Mapping[str, int] = current_app.config.get("ATELIER_RATELIMITS") or {}
    return int(overrides.get(bucket, per_minute))


def check_rate(bucket: str, per_minute: int) -> None:
    """Count this request against `bucket` for its client; `RateLimited` (429) past the limit."""
    allowed = bucket_limit(bucket, per_minute)
    if allowed <= 0:
        return
    address = client_address(request, int(current_app.config.get("ATELIER_TRUSTED_PROXIES") or 0))
    decision = limiter().hit(f"{bucket}:{address}", allowed, WINDOW_SECONDS)
    if not decision.allowed:
        raise RateLimited(
            too_many_requests(decision.retry_after),
            extensions={"technical_detail": f"At most {allowed} requests a minute here."},
            headers={"Retry-After": str(decision.retry_after)},
        )


def limit(bucket: str, *, per_minute: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a view so each client may call it `per_minute` times a minute (see `check_rate`)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            check_rate(bucket, per_minute)
            return view(*args, **kwargs)

        return wrapper

    return decorator
