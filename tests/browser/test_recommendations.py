"""Recommendations in the configurator: once bottles are ordered, their options are marked in words."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.support.orders import LineSpec, make_order


def test_ordered_options_are_marked_and_the_popular_design_is_one_click_away(
    page: Page, shop: Server, shop_app: Flask
) -> None:
    # Given sage-labelled cans are what shoppers buy (bottles only: the other tests' products stay unmarked)
    for _ in range(3):
        make_order(shop_app, [LineSpec("name-bottle", {"bottle": "can_330", "label_colour": "sage"})])
    page.goto(f"{shop.url}/products/name-bottle")
    label_colour = page.locator('[data-attribute="label_colour"]')
    sage = label_colour.get_by_role("radio", name="Sage green")

    # Then sage says it is recommended, in text and in its accessible description
    expect(label_colour.get_by_text("Recommended", exact=True)).to_be_visible()
    expect(sage).to_have_accessible_description(re.compile("Recommended"))
    expect(sage).to_have_accessible_description(re.compile("Popular"))
    expect(label_colour.get_by_role("radio", name="Coral")).not_to_have_accessible_description(
        re.compile("Recommended")
    )

    # When the shopper starts from the most popular design
    page.get_by_role("button", name="Start from the most popular design").click()
    # Then its options are picked
    expect(page.get_by_role("radio", name="Can, 330 ml")).to_be_checked()
    expect(sage).to_be_checked()
