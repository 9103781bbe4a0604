"""The insights dashboard in Chromium: the token is asked once per tab, and every chart comes with a
table of the same numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.support.admin import admin_headers
from tests.support.orders import LineSpec, make_order


def test_the_dashboard_draws_the_counts_with_their_tables(
    page: Page, shop: Server, shop_app: Flask, screenshot: Callable[[str], Path]
) -> None:
    from configurator.extensions import db
    from configurator.insights import services

    # Given a paid order of the mug, counted, and a token that may read insights
    make_order(shop_app, [LineSpec("engraved-mug", {}, quantity=3)])
    with shop_app.app_context():
        services.aggregate(services.today())
        db.session.remove()
    token = admin_headers(shop_app, "insights:read", name="browser-dashboard")["Authorization"].split()[1]

    # When the merchant opens the dashboard and gives the token
    page.goto(f"{shop.url}/admin/insights")
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Use this token").click()
    page.get_by_label("Product").select_option("engraved-mug")
    expect(page.get_by_role("heading", name=re.compile(r"^Engraved mug: "))).to_be_visible()

    # Then each section shows, its charts named for screen readers, the numbers in tables beside them
    for heading in ("Option popularity", "Options ordered together", "Funnel", "Blocked demand", "Trends"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    trends = page.get_by_role("table", name="Per day over 30 days, against the 30 days before")
    expect(trends.get_by_role("row", name="Paid orders")).to_contain_text("1")
    expect(trends.get_by_role("row", name="Units ordered")).to_contain_text("3")
    screenshot("insights-dashboard")

    # And the token stays for the tab: a reload goes straight to the charts
    page.reload()
    expect(page.get_by_role("heading", name="Funnel", exact=True)).to_be_visible()
    expect(page.get_by_label("Admin token")).to_be_hidden()
