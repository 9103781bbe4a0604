"""Rate limits: fixed windows per (bucket, client), in memory and in Redis, and 429 through HTTP."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
import redis
from flask import Flask
from PIL import Image
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from configurator.config import load_config
from configurator.errors import ConfigurationError
from configurator.ratelimit import MemoryLimiter, RedisLimiter, client_address, limiter
from tests.support.services import Redis, free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def request_from(remote: str, forwarded: str | None = None) -> Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": remote}).get_environ())


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "PNG")
    return out.getvalue()


# --- memory ------------------------------------------------------------------------------------------


def test_memory_window_allows_the_limit_then_refuses_until_it_closes() -> None:
    clock = Clock()
    memory = MemoryLimiter(clock)
    assert [memory.hit("k", 3, 60).allowed for _ in range(4)] == [True, True, True, False]
    clock.now += 45
    refused = memory.hit("k", 3, 60)
    assert not refused.allowed
    assert refused.retry_after == 15
    clock.now += 15
    assert memory.hit("k", 3, 60).allowed  # a new window


def test_memory_keys_are_independent_and_closed_windows_are_forgotten() -> None:
    clock = Clock()
    memory = MemoryLimiter(clock)
    assert memory.hit("a", 1, 60).allowed
    assert memory.hit("b", 1, 60).allowed
    assert not memory.hit("a", 1, 60).allowed
    clock.now += 120
    memory.hit("c", 1, 60)
    assert set(memory._windows) == {"c"}


def test_memory_limiter_counts_every_thread() -> None:
    memory = MemoryLimiter()
    results: list[bool] = []

    def hammer() -> None:
        for _ in range(50):
            results.append(memory.hit("k", 100, 60).allowed)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 100


# --- redis -------------------------------------------------------------------------------------------


@pytest.fixture
def redis_limiter(redis_server: Redis) -> RedisLimiter:
    redis.Redis.from_url(redis_server.url).flushdb()
    return RedisLimiter.from_url(redis_server.url)


def test_redis_window_allows_the_limit_then_refuses(redis_limiter: RedisLimiter) -> None:
    decisions = [redis_limiter.hit("uploads:10.0.0.1", 3, 60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.count for d in decisions] == [1, 2, 3, 4]
    assert 55 <= decisions[-1].retry_after <= 60
    assert redis_limiter.hit("uploads:10.0.0.2", 3, 60).allowed


def test_redis_counter_always_expires(redis_limiter: RedisLimiter, redis_server: Redis) -> None:
    client = redis.Redis.from_url(redis_server.url)
    redis_limiter.hit("k", 5, 60)
    assert 0 < client.pttl("atelier:ratelimit:k") <= 60_000
    # A counter left without an expiry (by hand, or an old version) is given one on the next hit
    client.persist("atelier:ratelimit:k")
    redis_limiter.hit("k", 5, 60)
    assert client.pttl("atelier:ratelimit:k") > 0


def test_redis_window_closes(redis_limiter: RedisLimiter) -> None:
    assert redis_limiter.hit("short", 1, 1).allowed
    assert not redis_limiter.hit("short", 1, 1).allowed
    threading.Event().wait(1.1)
    assert redis_limiter.hit("short", 1, 1).allowed


def test_a_high_limit_is_reported_to_redis_in_batches(
    redis_limiter: RedisLimiter, redis_server: Redis
) -> None:
    client = redis.Redis.from_url(redis_server.url)
    # 500 a minute: batches of 10, so 25 hits are told to Redis as 1 (the first), then 10 and 10
    decisions = [redis_limiter.hit("configure:10.0.0.1", 500, 60) for _ in range(25)]
    assert all(d.allowed for d in decisions)
    assert [d.count for d in decisions[:3]] == [1, 2, 3]
    assert int(client.get("atelier:ratelimit:configure:10.0.0.1") or 0) == 21


def test_batched_processes_together_let_through_at_most_a_batch_each_over_the_limit(
    redis_server: Redis,
) -> None:
    redis.Redis.from_url(redis_server.url).flushdb()
    workers = [RedisLimiter.from_url(redis_server.url) for _ in range(3)]
    limit = 200  # batches of 4
    allowed = 0
    for turn in range(400):
        allowed += workers[turn % 3].hit("configure:10.0.0.9", limit, 60).allowed
    assert limit <= allowed <= limit + 3 * (4 - 1)


def test_an_unreachable_redis_lets_requests_through() -> None:
    down = RedisLimiter.from_url(f"redis://127.0.0.1:{free_port()}/0")
    assert all(down.hit("k", 1, 60).allowed for _ in range(3))


def test_the_app_counts_in_redis_when_configured(test_config: dict[str, Any], redis_server: Redis) -> None:
    from configurator import create_app

    app = create_app({**test_config, "ATELIER_RATELIMIT_URL": redis_server.url})
    assert isinstance(limiter(app), RedisLimiter)
    broker = create_app({**test_config, "ATELIER_BROKER_URL": redis_server.url})
    assert isinstance(limiter(broker), RedisLimiter)
    forced = create_app(
        {**test_config, "ATELIER_BROKER_URL": redis_server.url, "ATELIER_RATELIMIT_URL": "memory://"}
    )
    assert isinstance(limiter(forced), MemoryLimiter)


# --- client addresses --------------------------------------------------------------------------------


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_forwarded_for_is_read_from_the_right() -> None:
    # The client forged the first entry; our one proxy appended the real peer it saw
    request = request_from("10.0.0.2", "1.2.3.4, 198.51.100.7")
    assert client_address(request, trusted_proxies=1) == "198.51.100.7"
    assert client_address(request, trusted_proxies=2) == "1.2.3.4"
    # Fewer entries than proxies: the header is not what our proxies would send, the peer counts
    assert client_address(request, trusted_proxies=3) == "10.0.0.2"


def test_garbled_forwarded_for_falls_back_to_the_peer() -> None:
    assert client_address(request_from("10.0.0.2", "not-an-ip"), trusted_proxies=1) == "10.0.0.2"


def test_ipv6_clients_count_per_64() -> None:
    one = client_address(request_from("2001:db8:1:2::1"))
    other = client_address(request_from("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert client_address(request_from("::ffff:192.0.2.1")) == "192.0.2.1"


# --- through HTTP ------------------------------------------------------------------------------------


@pytest.fixture
def limited_app(test_config: dict[str, Any], tmp_path: Any) -> Flask:
    from configurator import create_app

    return create_app({**test_config, "ATELIER_MEDIA_ROOT": str(tmp_path), "ATELIER_RATELIMITS": "uploads=2"})


def test_uploads_past_the_limit_get_429_with_retry_after(limited_app: Flask) -> None:
    client = limited_app.test_client()
    statuses = [
        client.post("/api/v1/uploads", data=png(), content_type="image/png").status_code for _ in range(2)
    ]
    assert statuses == [201, 201]
    refused = client.post("/api/v1/uploads", data=png(), content_type="image/png")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "rate-limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # The shopper is told in their language how long to wait; the limit itself is for integrators
    french = client.post(
        "/api/v1/uploads", data=png(), content_type="image/png", headers={"Accept-Language": "fr"}
    ).json
    wait = french["detail"].removeprefix("Trop de demandes en peu de temps : réessayez dans ")
    assert wait.removesuffix(" secondes.").isdigit(), french["detail"]
    assert french["technical_detail"] == "At most 2 requests a minute here."
    # Another client is not affected
    other = client.post(
        "/api/v1/uploads", data=png(), content_type="image/png", environ_base={"REMOTE_ADDR": "192.0.2.50"}
    )
    assert other.status_code == 201


def test_the_limit_counts_through_redis(
    test_config: dict[str, Any], redis_server: Redis, tmp_path: Any
) -> None:
    from configurator import create_app

    redis.Redis.from_url(redis_server.url).flushdb()
    config = {**test_config, "ATELIER_MEDIA_ROOT": str(tmp_path), "ATELIER_RATELIMITS": "uploads=1"}
    # Two app instances (two workers) share the count
    first = create_app({**config, "ATELIER_RATELIMIT_URL": redis_server.url}).test_client()
    second = create_app({**config, "ATELIER_RATELIMIT_URL": redis_server.url}).test_client()
    assert first.post("/api/v1/uploads", data=png(), content_type="image/png").status_code == 201
    refused = second.post("/api/v1/uploads", data=png(), content_type="image/png")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_trusted_proxy_count_decides_who_the_client_is(limited_app: Flask) -> None:
    limited_app.config["ATELIER_TRUSTED_PROXIES"] = 1
    client = limited_app.test_client()

    def post(forwarded: str) -> int:
        return client.post(
            "/api/v1/uploads", data=png(), content_type="image/png", headers={"X-Forwarded-For": forwarded}
        ).status_code

    # Behind one proxy, every shopper shares the proxy's peer address but not its forwarded one
    assert [post("198.51.100.1"), post("198.51.100.1"), post("198.51.100.1")] == [201, 201, 429]
    assert post("198.51.100.2") == 201


def test_rate_limit_settings_are_checked() -> None:
    config = load_config({}, {"ATELIER_RATELIMITS": "uploads=5, previews=0", "ATELIER_TRUSTED_PROXIES": "2"})
    assert config["ATELIER_RATELIMITS"] == {"uploads": 5, "previews": 0}
    assert config["ATELIER_TRUSTED_PROXIES"] == 2
    for bad in ({"ATELIER_RATELIMITS": "uploads"}, {"ATELIER_RATELIMITS": "uploads=-1"}):
        with pytest.raises(ConfigurationError):
            load_config({}, bad)
    with pytest.raises(ConfigurationError):
        load_config({}, {"ATELIER_UPLOAD_FORMATS": "png,gif"})
    assert load_config({}, {"ATELIER_UPLOAD_FORMATS": "JPG, png"})["ATELIER_UPLOAD_FORMATS"] == (
        "JPEG",
        "PNG",
    )


@pytest.fixture
def shop_limited(test_config: dict[str, Any]) -> Flask:
    from configurator import create_app

    limits = "configure=2, designs=2, carts=2, checkout=1"
    return create_app({**test_config, "ATELIER_RATELIMITS": limits})


def refused_properly(response: Any) -> bool:
    return (
        response.status_code == 429
        and response.mimetype == "application/problem+json"
        and 1 <= int(response.headers["Retry-After"]) <= 60
    )


def test_configure_is_limited_even_when_answered_from_the_cache(shop_limited: Flask) -> None:
    client = shop_limited.test_client()
    path = "/api/v1/products/mug/configure"
    statuses = [client.post(path, json={"picks": {}}).status_code for _ in range(2)]
    assert statuses == [200, 200]
    assert refused_properly(client.post(path, json={"picks": {}}))


def test_saves_remixes_cart_changes_and_checkouts_are_limited(shop_limited: Flask) -> None:
    client = shop_limited.test_client()
    saved = client.post("/api/v1/designs", json={"product": "mug", "picks": {}})
    assert saved.status_code == 201
    design = saved.get_json()["id"]
    assert client.post(f"/api/v1/designs/{design}/remix", json={"picks": {}}).status_code == 201
    assert refused_properly(client.post("/api/v1/designs", json={"product": "mug", "picks": {}}))

    cart = client.post("/api/v1/carts", json={"currency": "EUR"})
    assert cart.status_code == 201
    token = cart.get_json()["id"]
    assert (
        client.post(f"/api/v1/carts/{token}/lines", json={"design": design, "quantity": 1}).status_code == 201
    )
    address = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}
    contact = {"email": "a@example.org", "name": "A", "address": address}
    assert refused_properly(client.put(f"/api/v1/carts/{token}/contact", json=contact))

    # Another address still shops; its one checkout goes through, the next is refused
    other = {"REMOTE_ADDR": "192.0.2.77"}
    assert client.put(f"/api/v1/carts/{token}/contact", json=contact, environ_base=other).status_code == 200
    assert client.post(f"/api/v1/carts/{token}/checkout", environ_base=other).status_code == 201
    assert refused_properly(client.post(f"/api/v1/carts/{token}/checkout", environ_base=other))


def test_every_limited_operation_documents_its_429(shop_limited: Flask) -> None:
    spec = shop_limited.test_client().get("/openapi.json").get_json()
    limited = [
        ("/api/v1/products/{slug}/configure", "post"),
        ("/api/v1/designs", "post"),
        ("/api/v1/designs/{public_id}/remix", "post"),
        ("/api/v1/carts", "post"),
        ("/api/v1/carts/{token}/lines", "post"),
        ("/api/v1/carts/{token}/lines/{line_id}", "patch"),
        ("/api/v1/carts/{token}/contact", "put"),
        ("/api/v1/carts/{token}/checkout", "post"),
        ("/api/v1/uploads", "post"),
    ]
    for path, method in limited:
        assert "429" in spec["paths"][path][method]["responses"], (path, method)
    too_many = spec["components"]["responses"]["TOO_MANY_REQUESTS"]
    assert "Retry-After" in too_many["headers"]
