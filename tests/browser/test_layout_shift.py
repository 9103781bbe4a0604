"""Cumulative Layout Shift of the shop's pages, measured by Chromium itself while each page loads its
content from the API: what a shopper sees move without having done anything."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.test_shop_pages import Placed, hold_cart, place

# "Good" in the Core Web Vitals: at most 0.1.
CLS_BUDGET = 0.1
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

# Injected before any of the page's own scripts: every layout shift not caused by the shopper's input.
OBSERVE = """
window.layoutShifts = [];
window.layoutShiftObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.layoutShifts.push({
      value: entry.value,
      // What moved, from where to where: the test's message when the budget is exceeded.
      moved: entry.sources.map((s) => ({
        node: `${s.node?.nodeName}.${s.node?.className}`,
        from: s.previousRect.toJSON(),
        to: s.currentRect.toJSON(),
      })),
    });
  }
});
window.layoutShiftObserver.observe({ type: "layout-shift", buffered: true });
"""
# The shifts so far, with those the observer holds but has not delivered yet.
SHIFTS = """
() => {
  for (const entry of window.layoutShiftObserver.takeRecords()) {
    if (!entry.hadRecentInput) window.layoutShifts.push({ value: entry.value, moved: [] });
  }
  return window.layoutShifts;
}
"""
# Every image on the page has arrived (a picture that loads late is what moves pages most).
SETTLED = """
() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() =>
  resolve(!document.querySelector("[aria-busy]") && [...document.images].every((i) => i.complete)))))
"""


@pytest.fixture(scope="module")
def placed(shop_app: Flask) -> Placed:
    return place(shop_app, {"engraving": "For Sam", "colour": "sage"})


def pages(placed: Placed) -> dict[str, tuple[str, str]]:
    """Page name -> its path, and something the loaded page shows."""
    return {
        "catalog": ("/", ".product-card .product-picture img"),
        "cart": ("/cart", "[data-cart-view] .cart-line"),
        "checkout": ("/checkout", "form.checkout-form"),
        "order": (f"/orders/{placed.order}", "[data-order-view] .cart-line img"),
    }


def layout_shift(page: Page, url: str, loaded: str) -> tuple[float, list[dict[str, Any]]]:
    page.goto(url)
    expect(page.locator(loaded).first).to_be_visible()
    if "product-picture" in loaded:
        # every card's picture, one per product of the catalog, each loaded below
        products = page.request.get(urljoin(url, "/api/v1/products"))
        expect(page.locator(loaded)).to_have_count(len(products.json()["products"]))
    page.wait_for_function(SETTLED)
    shifts: list[dict[str, Any]] = page.evaluate(SHIFTS)
    return sum(s["value"] for s in shifts), shifts


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", ["catalog", "cart", "checkout", "order"])
def test_the_page_does_not_move_while_it_loads(
    page: Page, shop: Server, placed: Placed, name: str, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    page.add_init_script(OBSERVE)
    hold_cart(page, shop, placed.cart)
    path, loaded = pages(placed)[name]
    score, shifts = layout_shift(page, f"{shop.url}{path}", loaded)
    print(f"CLS {name} {viewport}: {score:.4f}")  # noqa: T201 (the figure, for whoever runs it with -s)
    assert score < CLS_BUDGET, shifts
