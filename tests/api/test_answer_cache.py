"""Configure answers kept per process, and how long a process trusts the live versions it read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from configurator.api.answers import ENTRY_OVERHEAD, answer_cache, answer_lru
from configurator.catalog import services, versions
from configurator.catalog.models import ProductVersion
from configurator.dbtypes import utcnow
from configurator.extensions import db
from tests.support.catalogs import without_gold

CONFIGURE = "/api/v1/products/mug/configure"


def colours(answer: dict[str, Any]) -> list[str]:
    colour = next(d for d in answer["domains"] if d["key"] == "colour")
    return [o["key"] for o in colour["options"]]


def refuse_to_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    def computed(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the answer was computed again")

    monkeypatch.setattr(services, "configure", computed)


# --- the cache itself ----------------------------------------------------------------------------------


def test_the_cache_forgets_the_least_recently_used_answers_past_its_size() -> None:
    size = 90 + ENTRY_OVERHEAD
    cache = answer_lru(max_bytes=3 * size)
    for key in ("a", "b", "c"):
        cache.put(key, b"x" * 90)
    assert len(cache) == 3
    assert cache.get("a") == b"x" * 90  # "a" is now the most recently used
    cache.put("d", b"y" * 90)
    assert cache.get("b") is None
    assert [cache.get(k) is not None for k in ("a", "c", "d")] == [True, True, True]
    assert cache.used == 3 * size


def test_putting_a_key_again_replaces_its_answer_and_its_size() -> None:
    cache = answer_lru(max_bytes=10_000)
    cache.put("k", b"1" * 100)
    before = cache.used
    cache.put("k", b"2" * 50)
    assert cache.get("k") == b"2" * 50
    assert cache.used == before - 50
    cache.discard("k")
    assert (len(cache), cache.used) == (0, 0)


# --- through HTTP ----------------------------------------------------------------------------------------


def test_the_same_picks_are_answered_from_the_cache(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.post(CONFIGURE, json={"picks": {"material": "enamel"}, "currency": "EUR"})
    assert first.status_code == 200
    assert len(answer_cache(app)) == 1
    refuse_to_compute(monkeypatch)
    # The same body with its keys in another order is the same question
    again = client.post(
        CONFIGURE,
        data='{"currency": "EUR", "picks": {"material": "enamel"}}',
        content_type="application/json",
    )
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.mimetype == "application/json"
    assert again.headers["Content-Language"] == first.headers["Content-Language"] == "en"


def test_each_language_currency_and_quantity_has_its_own_answer(client: FlaskClient, app: Flask) -> None:
    body = {"picks": {"material": "enamel"}}
    english = client.post(CONFIGURE, json=body)
    french = client.post(CONFIGURE, json=body, headers={"Accept-Language": "fr"})
    dollars = client.post(CONFIGURE, json={**body, "currency": "USD"})
    ten = client.post(CONFIGURE, json={**body, "quantity": 10})
    assert french.headers["Content-Language"] == "fr"
    assert (english.get_json()["locale"], french.get_json()["locale"]) == ("en", "fr")
    assert dollars.get_json()["price"]["currency"] == "USD"
    assert ten.get_json()["price"]["total"] != english.get_json()["price"]["total"]
    assert len(answer_cache(app)) == 4


def test_errors_are_computed_every_time(client: FlaskClient, app: Flask) -> None:
    for _ in range(2):
        refused = client.post(CONFIGURE, json={"picks": {"colour": "plaid"}})
        assert refused.status_code == 422
    assert len(answer_cache(app)) == 0


def test_no_answer_is_kept_when_the_cache_is_off(
    test_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator import create_app

    app = create_app({**test_config, "ATELIER_ANSWER_CACHE_MB": 0})
    client = app.test_client()
    assert client.post(CONFIGURE, json={"picks": {}}).status_code == 200
    assert len(answer_cache(app)) == 0
    refuse_to_compute(monkeypatch)
    with pytest.raises(AssertionError, match="computed again"):
        client.post(CONFIGURE, json={"picks": {}})


def test_a_publish_in_this_process_is_answered_at_once(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    assert "gold" in colours(client.post(CONFIGURE, json={"picks": {}}).get_json())
    with app.app_context():
        versions.publish_folder(without_gold(tmp_path))
    # The same question, a new version: the cached answer of the old one is not served
    assert "gold" not in colours(client.post(CONFIGURE, json={"picks": {}}).get_json())


def test_a_publish_elsewhere_is_seen_once_the_refresh_delay_has_passed(
    test_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator import create_app

    app = create_app({**test_config, "ATELIER_LIVE_REFRESH_SECONDS": 30})
    client = app.test_client()
    with app.app_context():
        versions.publish_folder(without_gold(tmp_path))
        assert "gold" not in colours(client.post(CONFIGURE, json={"picks": {}}).get_json())
        # Another process makes the first mug version live again: this process does not know yet
        first = db.session.scalars(
            select(ProductVersion).where(ProductVersion.product_key == "mug").order_by(ProductVersion.id)
        ).first()
        assert first is not None
        later_than_any = utcnow() + timedelta(minutes=1)
        db.session.execute(
            update(ProductVersion).where(ProductVersion.id == first.id).values(activated_at=later_than_any)
        )
        db.session.commit()
    assert "gold" not in colours(client.post(CONFIGURE, json={"picks": {}}).get_json())

    later = services.time.monotonic() + 31
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    assert "gold" in colours(client.post(CONFIGURE, json={"picks": {}}).get_json())
