"""The privacy choice inside the partner widget: asked in the widget, recorded for the partner, and
nothing sent before a yes or after a withdrawal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, Request, expect
from sqlalchemy import select

from tests.browser.conftest import Server, serve
from tests.browser.test_iframe import FRAMING_PAGE
from tests.browser.test_widget import HOST_PAGE, host_app

FLUSH_WAIT_MS = 3000  # longer than consent.js's pause before sending a batch
PANEL = "Your privacy choices for this configurator"
PARTNER_WORDING = "2026-11-partner"


@dataclass
class Partner:
    site: Server
    key: str
    id: int


def partner_with_page(shop: Server, shop_app: Flask, name: str, page_html: str) -> Partner:
    from configurator.partners import services as partners

    key: dict[str, str] = {}
    site = serve(host_app(lambda: page_html.format(key=key["value"], shop=shop.url)))
    with shop_app.app_context():
        made = partners.add(name, [site.url])
        key["value"] = made.publishable_key
        return Partner(site, made.publishable_key, made.id)


@pytest.fixture(scope="module")
def partner(shop: Server, shop_app: Flask) -> Iterator[Partner]:
    """A partner page on its own origin with the widget (the mug)."""
    made = partner_with_page(shop, shop_app, "privacy-gifts", HOST_PAGE)
    yield made
    made.site.stop()


@pytest.fixture(scope="module")
def framing_partner(shop: Server, shop_app: Flask) -> Iterator[Partner]:
    """A partner page on its own origin framing the shop's embed page."""
    made = partner_with_page(shop, shop_app, "privacy-frames", FRAMING_PAGE)
    yield made
    made.site.stop()


@dataclass
class Kept:
    """What the shop keeps under one shopper id: its consent history and its events."""

    consents: list[tuple[dict[str, bool], str, int | None, bool]]  # purposes, wording, partner, closed
    events: list[tuple[str, Any, int | None]]  # type, option, partner


def kept(shop_app: Flask, token: str) -> Kept:
    from configurator.extensions import db
    from configurator.preferences.models import Consent, PreferenceEvent, Shopper

    with shop_app.app_context():
        shopper = db.session.scalar(select(Shopper).where(Shopper.token == token))
        assert shopper is not None, "the widget's shopper id is unknown to the shop"
        consents = db.session.scalars(
            select(Consent).where(Consent.shopper_id == shopper.id).order_by(Consent.id)
        ).all()
        events = db.session.scalars(
            select(PreferenceEvent)
            .where(PreferenceEvent.shopper_id == shopper.id)
            .order_by(PreferenceEvent.id)
        ).all()
        found = Kept(
            [(c.purposes, c.wording_version, c.partner_id, c.withdrawn_at is not None) for c in consents],
            [(e.type, e.option, e.partner_id) for e in events],
        )
        db.session.remove()
        return found


def stored_choice(page: Page, shop: Server, key: str) -> dict[str, Any]:
    """The choice the widget keeps in the browser (its slot: the shop's origin and the partner's key)."""
    raw = page.evaluate("slot => localStorage.getItem(slot)", f"atelier.privacy@{shop.url}#{key}")
    assert raw, "the widget kept no privacy choice"
    choice: dict[str, Any] = json.loads(raw)
    return choice


def events_requests(page: Page) -> list[Request]:
    posted: list[Request] = []
    page.on("request", lambda r: posted.append(r) if r.url.endswith("/api/v1/events") else None)
    return posted


def ask(widget: Locator) -> Locator:
    """The panel, as a shopper first sees it: asked, both purposes unticked."""
    panel = widget.get_by_role("region", name=PANEL)
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("not by this website")
    expect(panel.get_by_label("Improve this shop with my choices")).not_to_be_checked()
    expect(panel.get_by_label("Suggest options based on my choices")).not_to_be_checked()
    return panel


def test_consent_given_in_the_widget_records_events_for_the_partner(
    page: Page, shop: Server, shop_app: Flask, partner: Partner
) -> None:
    page.goto(f"{partner.site.url}/")
    widget = page.locator("atelier-configurator")
    expect(widget.get_by_role("heading", name="Engraved mug")).to_be_visible()
    # Given the widget asks, in its own panel
    panel = ask(widget)

    # When the shopper accepts and configures
    with page.expect_response(lambda r: r.url.endswith("/api/v1/events")) as sent:
        panel.get_by_role("button", name="Accept all").click()
        expect(panel).to_be_hidden()
        widget.get_by_text("Sage green", exact=True).click()  # the face a shopper clicks

    # Then the picks go to the shop with the partner's key and the shopper id, and are kept
    assert sent.value.json()["stored"] >= 1
    request = sent.value.request
    assert request.headers["x-atelier-key"] == partner.key
    body = request.post_data_json
    choice = stored_choice(page, shop, partner.key)
    assert body["shopper"] == choice["shopper"]
    assert choice["wording_version"] == PARTNER_WORDING
    assert [(e["attribute"], e["option"]) for e in body["events"] if e["type"] == "option_picked"] == [
        ("colour", "sage")
    ]
    # And the shop keeps them for the partner, under a choice that names the partner and its words
    found = kept(shop_app, choice["shopper"])
    assert found.consents == [
        ({"preferences": True, "recommendations": True}, PARTNER_WORDING, partner.id, False)
    ]
    assert ("option_picked", "sage", partner.id) in found.events
    assert {event_partner for _, _, event_partner in found.events} == {partner.id}
    # And the choice can be reopened from the widget
    expect(widget.get_by_role("button", name="Privacy choices")).to_be_visible()


def test_refused_in_the_widget_nothing_is_sent_or_kept(
    page: Page, shop: Server, shop_app: Flask, partner: Partner
) -> None:
    posted = events_requests(page)
    shopper_headers: list[str] = []
    page.on(
        "request",
        lambda r: shopper_headers.append(r.url) if "x-atelier-shopper" in r.headers else None,
    )
    page.goto(f"{partner.site.url}/")
    widget = page.locator("atelier-configurator")

    # Before any choice, configuring sends nothing
    widget.get_by_text("Sage green", exact=True).click()  # the face a shopper clicks
    page.wait_for_timeout(FLUSH_WAIT_MS)
    assert posted == []

    # When the shopper declines, then configures and saves a design
    panel = ask(widget)
    panel.get_by_role("button", name="Decline all").click()
    expect(panel).to_be_hidden()
    widget.get_by_text("Enamelled steel", exact=True).click()
    widget.get_by_role("button", name="Save & share").click()
    expect(widget.get_by_label("Share link")).to_be_visible()
    page.wait_for_timeout(FLUSH_WAIT_MS)

    # Then no event left the browser, and no request named the shopper
    assert posted == []
    assert shopper_headers == []
    # And the shop keeps only the refusal itself (with the partner and the words), no event
    found = kept(shop_app, stored_choice(page, shop, partner.key)["shopper"])
    assert found.consents == [
        ({"preferences": False, "recommendations": False}, PARTNER_WORDING, partner.id, False)
    ]
    assert found.events == []


def test_withdrawing_in_the_widget_stops_recording_and_erasing_forgets(
    page: Page, shop: Server, shop_app: Flask, partner: Partner
) -> None:
    page.goto(f"{partner.site.url}/")
    widget = page.locator("atelier-configurator")
    panel = ask(widget)
    # Given a shopper who accepted and whose picks were sent
    with page.expect_response(lambda r: r.url.endswith("/api/v1/events")):
        panel.get_by_label("Improve this shop with my choices").check()
        panel.get_by_role("button", name="Save my choices").click()
        expect(panel).to_be_hidden()
        widget.get_by_text("Sage green", exact=True).click()  # the face a shopper clicks
    token = stored_choice(page, shop, partner.key)["shopper"]
    sent_before = len(kept(shop_app, token).events)
    assert sent_before >= 1

    # When they reopen the choice from the widget, by keyboard, and untick it again
    posted = events_requests(page)
    opener = widget.get_by_role("button", name="Privacy choices")
    opener.focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Improve this shop with my choices")).to_be_checked()
    panel.get_by_label("Improve this shop with my choices").uncheck()
    panel.get_by_role("button", name="Save my choices").click()
    expect(panel).to_be_hidden()
    widget.get_by_text("Enamelled steel", exact=True).click()
    page.wait_for_timeout(FLUSH_WAIT_MS)

    # Then nothing more is sent, and the history shows both choices, the first one closed
    assert posted == []
    found = kept(shop_app, token)
    assert len(found.events) == sent_before
    assert [(c[0]["preferences"], c[2], c[3]) for c in found.consents] == [
        (True, partner.id, True),
        (False, partner.id, False),
    ]

    # When they erase their data from the same panel
    page.once("dialog", lambda dialog: dialog.accept())
    opener.click()
    panel.get_by_role("button", name="Erase my data").click()
    expect(panel.get_by_role("status")).to_contain_text("Erased")
    # Then the shop no longer knows the id, and the browser forgot it
    assert shop_app.test_client().get(f"/api/v1/shoppers/{token}/consent").status_code == 404
    assert (
        page.evaluate("slot => localStorage.getItem(slot)", f"atelier.privacy@{shop.url}#{partner.key}")
        is None
    )


def test_the_embed_page_asks_in_its_frame_and_records_for_the_partner(
    page: Page, shop_app: Flask, framing_partner: Partner
) -> None:
    page.goto(f"{framing_partner.site.url}/")
    frame = page.frame_locator("iframe")
    widget = frame.locator("atelier-configurator")
    expect(widget.get_by_role("heading", name="Engraved mug")).to_be_visible()
    panel = ask(widget)

    with page.expect_response(lambda r: r.url.endswith("/api/v1/events")) as sent:
        panel.get_by_role("button", name="Accept all").click()
        expect(panel).to_be_hidden()
        widget.get_by_text("Sage green", exact=True).click()  # the face a shopper clicks

    assert sent.value.json()["stored"] >= 1
    body = sent.value.request.post_data_json
    assert sent.value.request.headers["x-atelier-key"] == framing_partner.key
    found = kept(shop_app, body["shopper"])
    assert [(c[1], c[2]) for c in found.consents] == [(PARTNER_WORDING, framing_partner.id)]
    assert ("option_picked", "sage", framing_partner.id) in found.events
