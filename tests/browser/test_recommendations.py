"""Recommendations in the configurator: once products are ordered, their options are marked in words, on
every control that shows options, on the shop's page and in the partner widget."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Server, serve
from tests.browser.test_widget import HOST_PAGE, host_app
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


CAKE_PAGE = HOST_PAGE.replace('product="engraved-mug"', 'product="celebration-cake"')


@pytest.fixture(scope="module")
def cake_partner(shop: Server, shop_app: Flask) -> Iterator[Server]:
    """A partner page with the cake in the widget."""
    from configurator.partners import services as partners

    key: dict[str, str] = {}
    site = serve(host_app(lambda: CAKE_PAGE.format(key=key["value"], shop=shop.url)))
    with shop_app.app_context():
        key["value"] = partners.add("cake-corner", [site.url]).publishable_key
    yield site
    site.stop()


def expect_marked(control: Locator, *marks: str) -> None:
    for mark in ("Recommended", "Popular"):
        if mark in marks:
            expect(control).to_have_accessible_description(re.compile(mark))
        else:
            expect(control).not_to_have_accessible_description(re.compile(mark))


def test_booleans_numbers_shown_as_options_and_multi_options_are_marked_too(
    page: Page, shop: Server, shop_app: Flask, cake_partner: Server
) -> None:
    # Given two-tier cakes with berries and sprinkles, and curtains with tiebacks, are what shoppers buy
    for _ in range(3):
        make_order(
            shop_app,
            [
                LineSpec(
                    "celebration-cake", {"size": "medium", "tiers": 2, "toppings": ["berries", "sprinkles"]}
                )
            ],
        )
        make_order(shop_app, [LineSpec("made-to-measure-curtain", {"tiebacks": True})])

    for where in (f"{shop.url}/products/celebration-cake", f"{cake_partner.url}/"):
        page.goto(where)
        root = page.locator("atelier-configurator") if where.startswith(cake_partner.url) else page
        # Then the tiers (a number with three values, shown as options) say which is recommended
        tiers = root.locator('[data-attribute="tiers"]')
        two = tiers.get_by_role("radio", name="2", exact=True)
        expect(tiers.get_by_text("Recommended", exact=True)).to_be_visible()
        expect_marked(two, "Recommended", "Popular")
        expect_marked(tiers.get_by_role("radio", name="3", exact=True))
        # And the toppings of the recommended set are marked, the others not
        toppings = root.locator('[data-attribute="toppings"]')
        for chosen in ("Fresh berries", "Rainbow sprinkles"):
            expect_marked(
                toppings.get_by_role("checkbox", name=re.compile(f"^{chosen}")), "Recommended", "Popular"
            )
        expect_marked(toppings.get_by_role("checkbox", name=re.compile("^Macarons")))
        # And once the shopper picks a topping, the advice on toppings is done: its badges go
        toppings.get_by_role("checkbox", name=re.compile("^Macarons")).click()
        expect(toppings.get_by_text("Recommended", exact=True)).to_have_count(0)
        expect_marked(two, "Recommended", "Popular")

    # And a yes/no option is marked when shoppers take it
    page.goto(f"{shop.url}/products/made-to-measure-curtain")
    tiebacks = page.get_by_role("checkbox", name=re.compile("^Matching tiebacks"))
    expect_marked(tiebacks, "Recommended", "Popular")
    expect(page.locator('[data-attribute="tiebacks"]').get_by_text("Popular", exact=True)).to_be_visible()
    # And a number typed into a box (many values) has no option to mark, and stays a box
    expect(page.get_by_role("spinbutton", name="Finished width (cm)")).to_be_visible()
