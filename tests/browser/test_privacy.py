"""The privacy choice in Chromium: nothing is sent before a yes, and events follow once it is given."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Server

FLUSH_WAIT_MS = 3000  # longer than consent.js's pause before sending a batch


@pytest.mark.usefixtures("privacy_unasked")
def test_decline_sends_nothing_and_accept_sends_events(page: Page, shop: Server) -> None:
    posted: list[Request] = []
    page.on("request", lambda r: posted.append(r) if r.url.endswith("/api/v1/events") else None)

    # Given a first visit: the choice is asked, with both purposes unticked and equal buttons
    page.goto(f"{shop.url}/products/engraved-mug")
    panel = page.get_by_role("region", name="Your privacy choices")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Improve this shop with my choices")).not_to_be_checked()
    expect(panel.get_by_label("Suggest options based on my choices")).not_to_be_checked()

    # When the shopper declines and configures
    panel.get_by_role("button", name="Decline all").click()
    expect(panel).to_be_hidden()
    page.get_by_text("Sage green", exact=True).click()
    expect(page.get_by_role("radio", name="Sage green")).to_be_checked()
    page.wait_for_timeout(FLUSH_WAIT_MS)

    # Then no event left the browser
    assert posted == []

    # When they reopen the choice from the footer (by keyboard) and accept
    opener = page.get_by_role("button", name="Privacy choices")
    opener.focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    with page.expect_request(lambda r: r.url.endswith("/api/v1/events")) as sent:
        panel.get_by_role("button", name="Accept all").click()
        expect(panel).to_be_hidden()
        page.get_by_text("Enamelled steel", exact=True).click()

    # Then the picks are posted, with the shopper id the browser keeps
    body = sent.value.post_data_json
    assert body["shopper"]
    picked = [(e["product"], e["option"]) for e in body["events"] if e["type"] == "option_picked"]
    assert picked == [("engraved-mug", "enamel")]
