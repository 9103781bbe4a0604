"""Insights on PostgreSQL: a tiny shop's day counted by hand, re-runs that change nothing, consent
respected, and the same numbers through the admin API, its CSV export and the terminal report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from configurator.cli import main
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.insights import services
from configurator.insights.models import InsightCount
from configurator.partners import services as partners
from configurator.tasks import is_eager
from tests.conftest import TEST_CATALOG
from tests.support.admin import admin_headers
from tests.support.checkout import ADDRESS
from tests.support.orders import LineSpec, make_order
from tests.support.services import Postgres

WORDING = "2026-11"
ALL = {"preferences": True, "recommendations": True}
NONE = {"preferences": False, "recommendations": False}
ACME_ORIGIN = "https://acme.example"
SHOPPER = "X-Atelier-Shopper"


def new_shopper(client: FlaskClient, purposes: dict[str, bool]) -> str:
    shopper: str = client.post("/api/v1/shoppers").get_json()["id"]
    chosen = client.put(
        f"/api/v1/shoppers/{shopper}/consent", json={"purposes": purposes, "wording_version": WORDING}
    )
    assert chosen.status_code == 200, chosen.get_json()
    return shopper


def browse(client: FlaskClient, shopper: str, events: list[dict[str, Any]], **headers: str) -> int:
    sent = client.post("/api/v1/events", json={"shopper": shopper, "events": events}, headers=headers)
    assert sent.status_code == 202, sent.get_json()
    stored: int = sent.get_json()["stored"]
    return stored


def save(client: FlaskClient, shopper: str, picks: dict[str, Any]) -> str:
    design = client.post(
        "/api/v1/designs", json={"product": "mug", "picks": picks}, headers={SHOPPER: shopper}
    )
    assert design.status_code == 201, design.get_json()
    public_id: str = design.get_json()["id"]
    return public_id


def buy(client: FlaskClient, shopper: str, picks: dict[str, Any]) -> None:
    """Save, cart and pay for one mug, as the storefront does with the shopper's header."""
    headers = {SHOPPER: shopper}
    design = save(client, shopper, picks)
    cart = client.post("/api/v1/carts", json={"currency": "EUR"}, headers=headers).get_json()["id"]
    added = client.post(
        f"/api/v1/carts/{cart}/lines", json={"design": design, "quantity": 1}, headers=headers
    )
    assert added.status_code == 201, added.get_json()
    contact = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}
    assert client.put(f"/api/v1/carts/{cart}/contact", json=contact, headers=headers).status_code == 200
    order = client.post(f"/api/v1/carts/{cart}/checkout", json={}, headers=headers).get_json()["order"]
    assert client.post(f"/api/v1/orders/{order['token']}/complete", headers=headers).status_code == 200


def view(product: str = "mug") -> dict[str, Any]:
    return {"type": "product_viewed", "product": product}


def pick(attribute: str, option: Any) -> dict[str, Any]:
    return {"type": "option_picked", "product": "mug", "attribute": attribute, "option": option}


def refuse(attribute: str, option: Any, rule: str) -> dict[str, Any]:
    return {
        "type": "option_refused",
        "product": "mug",
        "attribute": attribute,
        "option": option,
        "rule": rule,
    }


@pytest.fixture
def shop(pg_app: Flask, pg_client: FlaskClient) -> Flask:
    """Today, on the mug: four consenting shoppers (one through a partner), one who declined, and four
    paid orders (two by consenting shoppers' checkouts, one by the declining shopper, one plain)."""
    with pg_app.app_context():
        key = partners.add("acme", [ACME_ORIGIN]).publishable_key
        db.session.remove()
    ada = new_shopper(pg_client, ALL)
    assert (
        browse(
            pg_client, ada, [view(), pick("colour", "gold"), refuse("material", "enamel", "enamel-not-gold")]
        )
        == 3
    )
    buy(pg_client, ada, {"colour": "ink", "material": "enamel"})

    bob = new_shopper(pg_client, ALL)
    formula = '=HYPERLINK("http://evil.example")'
    assert (
        browse(
            pg_client,
            bob,
            [
                view(),
                pick("colour", "ink"),
                pick("colour", formula),
                refuse("material", "enamel", "enamel-not-gold"),
                refuse("font", "script", "script-short"),
            ],
        )
        == 5
    )
    save(pg_client, bob, {"colour": "ink"})

    # The partner's page: the same shopper id would work anywhere; the channel is the request's key.
    cleo = new_shopper(pg_client, ALL)
    assert browse(pg_client, cleo, [view()], **{"X-Atelier-Key": key, "Origin": ACME_ORIGIN}) == 1

    # Declined: events are dropped at the door, but the order is a business record and counts.
    dan = new_shopper(pg_client, NONE)
    assert browse(pg_client, dan, [view(), refuse("material", "enamel", "enamel-not-gold")]) == 0
    buy(pg_client, dan, {"colour": "ink", "material": "enamel"})

    make_order(pg_app, [LineSpec("mug", {"colour": "white"})])
    make_order(pg_app, [LineSpec("mug", {"colour": "gold", "material": "ceramic"}, quantity=2)])
    return pg_app


def aggregate_today(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        done = services.aggregate(services.today())
        assert not done.busy
        rows = db.session.execute(
            select(
                InsightCount.product_key,
                InsightCount.partner_id,
                InsightCount.kind,
                InsightCount.attribute,
                InsightCount.option,
                InsightCount.other_attribute,
                InsightCount.other_option,
                InsightCount.rule_id,
                InsightCount.count,
            ).order_by(*InsightCount.__table__.primary_key.columns)
        ).all()
        db.session.remove()
    assert len(rows) == done.rows
    return [tuple(row) for row in rows]


def mug_report(app: Flask, **kwargs: Any) -> services.Report:
    with app.app_context():
        found = services.report("mug", **kwargs)
        db.session.remove()
    return found


def options(found: services.Report, attribute: str) -> dict[str, tuple[int, int, int]]:
    for item in found.popularity:
        if item.attribute == attribute:
            return {o.option: (o.picked, o.refused, o.ordered) for o in item.options}
    raise AssertionError(f"no attribute {attribute}")


def test_a_day_counted_twice_gives_the_same_numbers(shop: Flask) -> None:
    # When the day is counted, then counted again (a retried task, the next hourly run)
    first = aggregate_today(shop)
    second = aggregate_today(shop)
    # Then nothing is counted twice
    assert first == second
    assert first


def test_popularity_pairs_funnel_and_blocked_demand_by_hand(shop: Flask) -> None:
    aggregate_today(shop)
    found = mug_report(shop, days=7)

    # Popularity: picks and refusals come from consenting shoppers; orders from all four paid orders.
    colour = options(found, "colour")
    assert colour["ink"] == (1, 0, 2)
    assert colour["gold"] == (1, 0, 1)
    assert colour["white"] == (0, 0, 1)
    assert colour['=HYPERLINK("http://evil.example")'] == (1, 0, 0)
    material = options(found, "material")
    assert material["enamel"] == (0, 2, 2)  # Dan's refusal was never kept
    assert material["ceramic"] == (0, 0, 2)
    assert found.designs == 4
    share = {o.option: o.share for p in found.popularity if p.attribute == "colour" for o in p.options}
    assert share["ink"] == 0.5

    # Pairs: ink and enamel are in the same 2 of 4 designs, each alone in 2 of 4: (2/4) / (2/4 * 2/4) = 2.
    strongest = found.pairs[0]
    assert (strongest.attribute, strongest.option, strongest.other_attribute, strongest.other_option) == (
        "colour",
        "ink",
        "material",
        "enamel",
    )
    assert (strongest.count, strongest.lift) == (2, 2.0)
    # Every design has no gift box: that pair goes together exactly as often as chance says.
    unboxed = {(p.attribute, p.option, p.other_attribute, p.other_option): p.lift for p in found.pairs}
    assert unboxed[("colour", "ink", "gift_box", "false")] == 1.0

    # Funnel: distinct consenting shoppers per stage; the paid orders whatever the consent.
    steps = {s.stage: s.shoppers for s in found.funnel.steps}
    assert steps == {"viewed": 3, "configured": 2, "saved": 2, "carted": 1, "ordered": 1}
    assert found.funnel.orders == 4
    by_channel = {
        f.partner: ({s.stage: s.shoppers for s in f.steps}["viewed"], f.orders)
        for f in found.funnel_by_partner
    }
    assert by_channel == {None: (2, 4), "acme": (1, 0)}

    # Blocked demand: most tried first, with the live rule's words.
    assert [(b.rule, b.attribute, b.option, b.count) for b in found.blocked] == [
        ("enamel-not-gold", "material", "enamel", 2),
        ("script-short", "font", "script", 1),
    ]
    assert found.blocked[0].message == "Enamel mugs don't come in gold."

    # Trends: one series point per day of the window, today last.
    trends = {t.metric: t for t in found.trends}
    assert len(trends["viewed"].series) == 7
    assert trends["viewed"].series[-1] == (services.today(), 3)
    assert trends["orders"].total == 4
    assert trends["units"].total == 5


def test_a_shopper_who_consents_after_viewing_still_counts_as_a_viewer(
    shop: Flask, pg_client: FlaskClient
) -> None:
    # Given a shopper whose view came before their consent (so it was never kept), who then picks
    eve = new_shopper(pg_client, ALL)
    assert browse(pg_client, eve, [pick("colour", "ink"), pick("colour", "gold")]) == 2
    aggregate_today(shop)
    steps = [(s.stage, s.shoppers, s.rate) for s in mug_report(shop).funnel.steps]
    # Then she is among those who viewed and those who configured: each stage is a share of the one
    # before, never more than all who viewed.
    assert [(stage, n) for stage, n, _ in steps][:2] == [("viewed", 4), ("configured", 3)]
    shoppers = [n for _, n, _ in steps]
    assert shoppers == sorted(shoppers, reverse=True)
    assert all(rate is None or rate <= 1 for _, _, rate in steps)


def test_pairs_and_blocked_demand_read_as_the_merchant_wrote_them(shop: Flask) -> None:
    aggregate_today(shop)
    with shop.app_context():
        found = services.report("mug", days=7, locale="fr")
        db.session.remove()
    strongest = found.pairs[0]
    assert (strongest.attribute_label, strongest.option_label) == ("Émail", "Encre")
    assert (strongest.other_attribute_label, strongest.other_option_label) == ("Matière", "Émail")
    enamel = found.blocked[0]
    assert (enamel.attribute_label, enamel.option_label) == ("Matière", "Émail")
    # Popularity reads the same words
    assert found.popularity[0].label == "Émail"


def test_a_refusal_by_several_rules_is_credited_to_each_and_counted_once(
    shop: Flask, pg_client: FlaskClient
) -> None:
    # Given a try that two rules refused together (the smallest conflict of the answer's reason)
    fay = new_shopper(pg_client, ALL)
    together = {
        **refuse("material", "enamel", "enamel-not-gold"),
        "rules": ["enamel-not-gold", "no-enamel-gift"],
    }
    assert browse(pg_client, fay, [together]) == 1
    aggregate_today(shop)
    found = mug_report(shop)
    # Then blocked demand names both rules, one try each (Dan's was never kept, Ada's and Bea's were)
    blocked = {(b.rule, b.attribute, b.option): b.count for b in found.blocked}
    assert blocked[("enamel-not-gold", "material", "enamel")] == 3
    assert blocked[("no-enamel-gift", "material", "enamel")] == 1
    # And the option was tried three times, not four
    assert options(found, "material")["enamel"] == (0, 3, 2)


def test_only_orders_count_when_nobody_consents(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a shopper who declined, browsing and buying
    dan = new_shopper(pg_client, NONE)
    assert browse(pg_client, dan, [view(), pick("colour", "gold")]) == 0
    buy(pg_client, dan, {"colour": "gold"})
    aggregate_today(pg_app)
    found = mug_report(pg_app)
    # Then no event shows, and the order does
    assert options(found, "colour")["gold"] == (0, 0, 1)
    assert all(step.shoppers == 0 for step in found.funnel.steps)
    assert found.funnel.orders == 1
    assert found.blocked == []


def test_the_partner_filter_narrows_every_section(shop: Flask) -> None:
    aggregate_today(shop)
    found = mug_report(shop, partner="acme")
    assert {s.stage: s.shoppers for s in found.funnel.steps}["viewed"] == 1
    assert found.designs == 0
    assert found.blocked == []


# --- HTTP ----------------------------------------------------------------------------------------------


def test_a_report_says_when_its_counts_were_made(shop: Flask) -> None:
    assert mug_report(shop).counted_at is None
    before = utcnow()
    aggregate_today(shop)
    counted_at = mug_report(shop).counted_at
    assert counted_at is not None
    assert before <= counted_at <= utcnow()


def test_a_shop_without_a_beat_recounts_when_its_insights_are_read(
    shop: Flask, pg_client: FlaskClient
) -> None:
    # Given the shop's tasks run in its own process (no broker, so no hourly beat) and nobody counted
    assert is_eager(shop)
    reader = admin_headers(shop, "insights:read", name="dashboard")
    # When the merchant opens insights
    body = pg_client.get("/api/v1/admin/insights/mug?days=7", headers=reader).get_json()
    # Then today's events are counted, and the answer says when
    assert {s["stage"]: s["shoppers"] for s in body["funnel"]["steps"]}["viewed"] == 3
    assert body["counted_at"] is not None
    # And a second read within the minute counts nothing again
    with shop.app_context():
        assert services.recount_today_if_older_than(timedelta(minutes=1)) is None
        db.session.remove()


def test_the_api_answers_with_the_insights_scope_only(shop: Flask, pg_client: FlaskClient) -> None:
    aggregate_today(shop)
    reader = admin_headers(shop, "insights:read", name="dashboard")
    orders_only = admin_headers(shop, "orders:read", name="workshop")

    answer = pg_client.get("/api/v1/admin/insights/mug?days=7", headers=reader)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["funnel"]["orders"] == 4
    assert body["pairs"][0]["lift"] == 2.0
    assert body["trends"][0]["series"][-1]["day"] == services.today().isoformat()
    assert body["links"]["csv"].startswith("/api/v1/admin/insights/mug/export.csv")

    assert pg_client.get("/api/v1/admin/insights/mug", headers=orders_only).status_code == 403
    assert pg_client.get("/api/v1/admin/insights/mug").status_code == 401
    assert pg_client.get("/api/v1/admin/insights/nothing", headers=reader).status_code == 404
    assert pg_client.get("/api/v1/admin/insights/mug?partner=nobody", headers=reader).status_code == 404
    assert pg_client.get("/api/v1/admin/insights/mug?days=0", headers=reader).status_code == 422


def test_the_csv_export_defuses_formulas(shop: Flask, pg_client: FlaskClient) -> None:
    aggregate_today(shop)
    answer = pg_client.get(
        "/api/v1/admin/insights/mug/export.csv", headers=admin_headers(shop, "insights:read")
    )
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    options_seen = {row["option"] for row in rows if row["section"] == "popularity"}
    assert '\'=HYPERLINK("http://evil.example")' in options_seen
    assert '=HYPERLINK("http://evil.example")' not in options_seen
    blocked = [row for row in rows if row["section"] == "blocked"]
    assert (blocked[0]["rule"], blocked[0]["option"], blocked[0]["count"]) == (
        "enamel-not-gold",
        "enamel",
        "2",
    )
    pair = next(row for row in rows if row["section"] == "pairs")
    assert (pair["option"], pair["other_option"], pair["value"]) == ("ink", "enamel", "2.0")


# --- the terminal --------------------------------------------------------------------------------------


@pytest.fixture
def cli(pg_app: Flask, postgres: Postgres, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ATELIER_DATABASE_URL", postgres.url)
    monkeypatch.setenv("ATELIER_CATALOG", str(TEST_CATALOG))
    monkeypatch.setenv("ATELIER_AUTO_SETUP", "false")
    return CliRunner()


def test_the_cli_aggregates_and_reports(shop: Flask, cli: CliRunner) -> None:
    counted = cli.invoke(main, ["insights", "aggregate", "--since", "2"])
    assert counted.exit_code == 0, counted.output
    assert counted.output.count(" counts") == 2

    shown = cli.invoke(main, ["insights", "report", "mug", "--days", "7"])
    assert shown.exit_code == 0, shown.output
    text = shown.output
    for heading in ("Option popularity", "Options ordered together", "Funnel", "Blocked demand", "Trends"):
        assert heading in text
    assert "colour=ink" in text
    assert "material=enamel" in text
    assert "2.00" in text
    assert "enamel-not-gold" in text
    assert "Enamel mugs don't come in gold." in text
    assert "Through acme" in text
    assert "█" in text

    unknown = cli.invoke(main, ["insights", "report", "mug", "--partner", "nobody"])
    assert unknown.exit_code != 0
    assert "nobody" in unknown.output


def test_blocked_demand_seeds_a_vote_on_what_to_make_next(shop: Flask) -> None:
    aggregate_today(shop)
    client = shop.test_client()
    manager = admin_headers(shop, "campaigns:manage", name="seeder")
    seeds = client.get("/api/v1/admin/campaigns/seeds/mug", headers=manager)
    assert seeds.status_code == 200, seeds.get_json()
    found = seeds.get_json()["items"]
    assert [(s["attribute"], s["option"], s["shoppers"]) for s in found] == [
        ("material", "enamel", 2),
        ("font", "script", 1),
    ]
    assert found[0]["label"] == "Enamel (Material)"
    assert found[0]["note"].startswith("2 tries refused in 90 days: Enamel mugs don't come in gold")
    vote = client.post(
        "/api/v1/admin/campaigns",
        json={
            "kind": "vote",
            "title": "Which should we make possible?",
            "product": "mug",
            "closes_at": "2099-01-01T00:00:00+00:00",
            "candidates": [{k: s[k] for k in ("label", "attribute", "option", "note")} for s in found],
        },
        headers=manager,
    )
    assert vote.status_code == 201, vote.get_json()
    assert [c["note"] for c in vote.get_json()["candidates"]] == [s["note"] for s in found]
    assert client.get("/api/v1/admin/campaigns/seeds/teapot", headers=manager).status_code == 404
