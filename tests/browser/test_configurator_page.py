"""The shopper's configurator page: the design shown is the design priced; picks can be cleared and
undone; the preview never disappears and can be looked at closely; the summary stays in sight; nothing
moves while the page loads. On a desktop (1280×900) and a phone (390×844)."""

from __future__ import annotations

import re
import statistics
import sys
from datetime import date
from typing import Any

import pytest
from babel.dates import format_date
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import Server
from tests.browser.steps import configure_requests, field, open_product, price_box

SUGGESTED = "Our suggestion"

# Installed before any page script runs: every layout shift not caused by the shopper's own input.
RECORD_LAYOUT_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.layoutShifts.push({
      value: entry.value,
      sources: (entry.sources || []).map((s) => (s.node ? `${s.node.nodeName}.${s.node.className}` : "?")),
    });
  }
}).observe({ type: "layout-shift", buffered: true });
"""


def border_style(choice: Locator) -> str:
    """The drawn border of an option's face (the radio itself is invisible)."""
    style: str = choice.evaluate("input => getComputedStyle(input.nextElementSibling).borderTopStyle")
    return style


def in_view(page: Page, target: Locator) -> bool:
    """Whether the middle of `target` is inside the viewport and not covered by anything else."""
    visible: bool = target.evaluate(
        """element => {
          const box = element.getBoundingClientRect();
          const x = box.left + box.width / 2, y = box.top + box.height / 2;
          if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) return false;
          const hit = document.elementFromPoint(x, y);
          return hit === element || element.contains(hit);
        }"""
    )
    return visible


# --- 1. the design shown is the design priced -----------------------------------------------------------


def test_suggestions_are_shown_chosen_and_apart_from_the_shoppers_picks(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "engraved-mug")
    glaze = field(page, "colour")
    snow = page.get_by_role("radio", name="Snow white")
    # The shop's suggestion is chosen, and says so in words and in its drawing
    expect(snow).to_be_checked()
    expect(glaze.get_by_text(SUGGESTED)).to_be_visible()
    assert border_style(snow) == "dashed"
    expect(price_box(page)).to_contain_text(re.compile(r"Glaze\s*Snow white \(our suggestion\)"))
    expect(glaze.get_by_role("button", name="Clear Glaze")).to_be_hidden()

    # When the shopper picks, the pick is theirs: no note, a solid border, a way to clear it
    page.get_by_text("Sage green", exact=True).click()
    sage = page.get_by_role("radio", name="Sage green")
    expect(sage).to_be_checked()
    expect(glaze.get_by_text(SUGGESTED)).to_be_hidden()
    assert border_style(sage) == "solid"
    expect(price_box(page)).to_contain_text(re.compile(r"Glaze\s*Sage green(?! \()"))
    expect(glaze.get_by_role("button", name="Clear Glaze")).to_be_visible()
    # Other attributes are still the shop's suggestions
    expect(field(page, "material").get_by_text(SUGGESTED)).to_be_visible()


def test_a_pick_can_be_cleared(shopper: Page, shop: Server) -> None:
    page = shopper
    sent = configure_requests(page)
    open_product(page, shop, "engraved-mug")
    page.get_by_text("Gold", exact=True).click()
    expect(price_box(page)).to_contain_text("Total €17.00")

    # When the shopper clears the glaze, the suggestion comes back and the pick is no longer sent
    field(page, "colour").get_by_role("button", name="Clear Glaze").click()
    expect(page.get_by_role("radio", name="Snow white")).to_be_checked()
    expect(price_box(page)).to_contain_text("Total €14.00")
    assert "colour" not in sent[-1]["picks"]
    expect(field(page, "colour").get_by_role("button", name="Clear Glaze")).to_be_hidden()

    # A typed engraving clears the same way
    engraving = page.get_by_label("Engraving", exact=True)
    engraving.fill("For Sam")
    expect(price_box(page)).to_contain_text("Total €15.50")
    field(page, "engraving").get_by_role("button", name="Clear Engraving").click()
    expect(engraving).to_have_value("")
    expect(price_box(page)).to_contain_text("Total €14.00")
    assert "engraving" not in sent[-1]["picks"]


def test_undo_and_start_over(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "engraved-mug")
    undo = page.get_by_role("button", name="Undo")
    start_over = page.get_by_role("button", name="Start over")
    expect(undo).to_be_disabled()
    expect(start_over).to_be_disabled()

    page.get_by_text("Sage green", exact=True).click()
    expect(page.get_by_role("radio", name="Sage green")).to_be_checked()
    page.get_by_text("Enamelled steel", exact=True).click()
    expect(price_box(page)).to_contain_text("Total €16.00")
    page.get_by_label("Engraving", exact=True).fill("For Sam")
    expect(price_box(page)).to_contain_text("Total €17.50")

    # Undo takes back the last change, one at a time (typing counts as one change)
    undo.click()
    expect(page.get_by_label("Engraving", exact=True)).to_have_value("")
    expect(price_box(page)).to_contain_text("Total €16.00")
    undo.click()
    expect(page.get_by_role("radio", name="Ceramic")).to_be_checked()
    expect(page.get_by_role("radio", name="Sage green")).to_be_checked()
    expect(price_box(page)).to_contain_text("Total €14.00")

    # Start over goes back to the shop's suggestions, and can itself be undone
    start_over.click()
    expect(page.get_by_role("radio", name="Snow white")).to_be_checked()
    expect(field(page, "colour").get_by_text(SUGGESTED)).to_be_visible()
    expect(start_over).to_be_disabled()
    undo.click()
    expect(page.get_by_role("radio", name="Sage green")).to_be_checked()


# --- 4. the preview -------------------------------------------------------------------------------------


def preview_image(page: Page) -> Locator:
    return page.locator("figure.atelier-preview img.atelier-preview-image")


def expect_loaded(image: Locator) -> None:
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0


def open_mug_with_its_picture(page: Page, shop: Server) -> tuple[Locator, Locator]:
    """The mug's page once its first picture has arrived: the preview's figure and its image."""
    open_product(page, shop, "engraved-mug")
    image = preview_image(page)
    expect_loaded(image)
    return page.get_by_role("figure", name="Preview of your Engraved mug"), image


def test_the_preview_stays_while_the_engraving_is_invalid(shopper: Page, shop: Server) -> None:
    page = shopper
    figure, image = open_mug_with_its_picture(page, shop)
    # Every new picture shows a loading hint until its load event
    page.evaluate(
        """() => {
          const figure = document.querySelector("figure.atelier-preview");
          window.loadingSeen = [];
          new MutationObserver(() => window.loadingSeen.push(figure.hasAttribute("data-loading")))
            .observe(figure, { attributes: true, attributeFilter: ["data-loading"] });
        }"""
    )
    engraving = page.get_by_label("Engraving", exact=True)
    engraving.fill("For Sam")
    expect(price_box(page)).to_contain_text("Total €15.50")
    expect(image).to_have_attribute("src", re.compile("previews"))
    page.wait_for_function("window.loadingSeen.includes(true) && window.loadingSeen.at(-1) === false")
    expect(figure.get_by_text("Updating the picture")).to_be_hidden()
    expect_loaded(image)
    valid_src = image.get_attribute("src")

    # When the shopper types a word the shop refuses, the last valid picture stays, dimmed and marked
    engraving.fill("Stupid mug")
    expect(page.get_by_role("form").get_by_text(re.compile("is not allowed in Engraving"))).to_be_visible()
    expect(figure.get_by_text("Preview of your last valid design")).to_be_visible()
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", valid_src or "")
    assert float(image.evaluate("img => getComputedStyle(img).opacity")) < 1

    # And once the text is valid again, the new picture replaces it
    engraving.fill("For Sam, with love")
    expect(figure.get_by_text("Preview of your last valid design")).to_be_hidden()
    expect(image).not_to_have_attribute("src", valid_src or "")
    expect_loaded(image)


def test_a_picture_that_does_not_come_leaves_the_last_one(shopper: Page, shop: Server) -> None:
    page = shopper
    figure, image = open_mug_with_its_picture(page, shop)
    shown = image.get_attribute("src") or ""

    # When the shop refuses to draw a new picture (too many asked from one address); the pictures it
    # already drew still come (from the browser's cache, which routing turns off)
    refused = {"type": "about:blank", "title": "Too many requests", "status": 429}

    def refuse_new(route: Route) -> None:
        if route.request.url == shown:
            route.continue_()
        else:
            route.fulfill(status=429, json=refused, headers={"Retry-After": "60"})

    page.route(re.compile(r"/api/v1/previews/"), refuse_new)
    page.get_by_text("Sage green", exact=True).click()
    expect(price_box(page)).to_contain_text(re.compile(r"Glaze\s*Sage green"))

    # Then the last picture comes back, whole, and says it could not be updated
    expect(figure.get_by_text("The picture could not be updated just now")).to_be_visible()
    expect(image).to_have_attribute("src", shown)
    expect_loaded(image)
    expect(figure.get_by_text("Updating the picture")).to_be_hidden()

    # And the next change asks again, and its picture replaces the note
    page.unroute(re.compile(r"/api/v1/previews/"))
    page.get_by_text("Charcoal", exact=True).click()
    expect(figure.get_by_text("The picture could not be updated just now")).to_be_hidden()
    expect(image).not_to_have_attribute("src", shown)
    expect_loaded(image)


def test_no_broken_picture_when_not_even_the_last_one_comes(shopper: Page, shop: Server) -> None:
    page = shopper
    figure, image = open_mug_with_its_picture(page, shop)

    # When no picture comes at all (routing turns the browser's cache off: the last one fails too)
    refused = {"type": "about:blank", "title": "Too many requests", "status": 429}
    page.route(re.compile(r"/api/v1/previews/"), lambda route: route.fulfill(status=429, json=refused))
    page.get_by_text("Sage green", exact=True).click()

    # Then the product's name stands in the picture's box, with the note, and no broken image
    expect(figure.get_by_text("The picture could not be updated just now")).to_be_visible()
    expect(image).to_be_hidden()
    expect(figure.get_by_text("Engraved mug", exact=True)).to_be_visible()

    # And going back to the first design asks for its picture again rather than showing it broken
    with page.expect_request(re.compile(r"/api/v1/previews/")):
        page.get_by_text("Snow white", exact=True).click()
    expect(price_box(page)).to_contain_text(re.compile(r"Glaze\s*Snow white"))
    expect(image).to_be_hidden()


def test_every_view_can_be_shown_and_enlarged(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "celebration-cake")
    views = page.locator(".atelier-visual").get_by_role("group", name="Views")
    image = preview_image(page)
    expect(views.get_by_role("button")).to_have_text(["Cake", "Slice", "Top"])
    expect(views.get_by_role("button", name="Cake")).to_have_attribute("aria-pressed", "true")

    # When the shopper chooses the slice, the slice is shown
    views.get_by_role("button", name="Slice").click()
    expect(views.get_by_role("button", name="Slice")).to_have_attribute("aria-pressed", "true")
    expect(image).to_have_attribute("src", re.compile(r"/slice\?"))
    expect_loaded(image)
    # and it stays the view shown after a pick
    page.get_by_text("Lemon curd", exact=True).click()
    expect(price_box(page)).to_contain_text(re.compile(r"Filling\s*Lemon curd"))
    expect(image).to_have_attribute("src", re.compile(r"/slice\?"))

    # When they enlarge it (from the keyboard), a larger picture opens; Escape closes it
    enlarge = page.get_by_role("button", name="Enlarge the preview")
    enlarge.focus()
    page.keyboard.press("Enter")
    zoom = page.get_by_role("dialog", name="Your Celebration cake")
    expect(zoom).to_be_visible()
    large = zoom.get_by_role("img")
    expect(large).to_have_attribute("src", re.compile(r"/slice\?.*size=1024"))
    expect_loaded(large)
    zoom.get_by_role("button", name="Top").click()
    expect(large).to_have_attribute("src", re.compile(r"/top\?.*size=1024"))
    page.keyboard.press("Escape")
    expect(zoom).to_be_hidden()
    expect(enlarge).to_be_focused()
    expect(image).to_have_attribute("src", re.compile(r"/top\?"))
    # A click on the picture itself opens it too
    image.click()
    expect(zoom).to_be_visible()
    zoom.get_by_role("button", name="Close").click()
    expect(zoom).to_be_hidden()


# --- 5. the summary stays in sight ----------------------------------------------------------------------


def test_the_summary_and_the_preview_stay_in_sight_while_picking(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "celebration-cake")
    add = page.get_by_role("button", name="Add to cart")
    total = price_box(page).locator(".atelier-amount")
    preview = page.get_by_role("figure", name="Preview of your Celebration cake")
    for attribute in ["size", "filling", "toppings", "photo"]:
        # Given the shopper has scrolled to an option (the last one included), from the top of the page
        page.evaluate("window.scrollTo(0, 0)")
        field(page, attribute).evaluate("element => element.scrollIntoView({ block: 'start' })")
        # Then the total, the add-to-cart button and the preview are all in sight, uncovered
        assert in_view(page, add), f"Add to cart is out of sight beside {attribute}"
        assert in_view(page, total), f"the total is out of sight beside {attribute}"
        assert in_view(page, preview), f"the preview is out of sight beside {attribute}"
    # And a pick made down there changes the price in sight
    page.get_by_text("Macarons", exact=True).click()
    expect(total).to_have_text("€52.00")
    assert in_view(page, total)


# --- 6. the merchant's help ------------------------------------------------------------------------------


def test_the_merchants_help_is_shown_for_numbers_and_texts(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "made-to-measure-curtain")
    width_help = "Measure the length of the track or pole; we add the fullness for the pleats."
    expect(field(page, "width").get_by_text(width_help)).to_be_visible()
    expect(page.get_by_role("spinbutton", name="Finished width (cm)")).to_have_accessible_description(
        re.compile(re.escape(width_help))
    )

    open_product(page, shop, "name-bottle")
    name_help = "Leave it empty for our classic label."
    expect(field(page, "name").get_by_text(name_help)).to_be_visible()
    name = page.get_by_label("Name on the label", exact=True)
    expect(name).to_have_accessible_description(re.compile(re.escape(name_help)))


def test_the_summary_says_when_a_design_made_to_order_is_sent(shopper: Page, shop: Server) -> None:
    # Given the curtain, made in ten days (docs/language.md, production data)
    page = shopper
    open_product(page, shop, "made-to-measure-curtain")
    answer = page.request.post(
        f"{shop.url}/api/v1/products/made-to-measure-curtain/configure", data={"picks": {}}
    )
    ships_by = date.fromisoformat(answer.json()["production"]["ships_by"])
    # Then the summary says the day under the total, the way the page's language writes dates
    said = f"Made for you and sent by {format_date(ships_by, 'long', locale='en')}"  # CLDR, as Intl writes it
    expect(price_box(page).locator(".atelier-ships")).to_have_text(said)


def test_the_merchants_own_words_speak_on_the_table_page(shopper: Page, shop: Server) -> None:
    # Given the dining table: its woods have pictures, and every one of them loads
    page = shopper
    open_product(page, shop, "dining-table")
    pictures = field(page, "wood").locator("img.atelier-picture")
    expect(pictures).to_have_count(3)
    loaded = "(i) => i.complete && i.naturalWidth > 0"
    page.wait_for_function(f"() => [...document.querySelectorAll('img.atelier-picture')].every({loaded})")
    # When the shopper picks walnut, the shop's own pick for the oil says why
    field(page, "wood").get_by_text("Black walnut").click()
    ours = field(page, "oil").locator(".atelier-badge-ours")
    expect(ours).to_contain_text("Our pick")
    expect(ours).to_contain_text("Hardwax oil brings out the grain of walnut.")
    # and when the table extends, the leaf bag comes with it, in the merchant's words
    field(page, "extendable").get_by_text("Extendable (one extra leaf)").click()
    bag = "An extendable table comes with the storage bag for its leaf."
    expect(field(page, "leaf_bag").locator(".atelier-source")).to_have_text(bag)
    expect(price_box(page)).to_contain_text(f"({bag})")
    # and white oil on walnut is warned about, never refused
    field(page, "oil").get_by_text("White oil").click()
    expect(field(page, "oil").locator(".atelier-warning")).to_contain_text(
        "White oil dulls the dark grain of walnut"
    )
    expect(price_box(page).get_by_role("button", name="Add to cart")).to_be_enabled()
    expect(price_box(page).locator(".atelier-problems")).to_be_hidden()


# --- 7. nothing moves while the page loads ---------------------------------------------------------------


def demo_products(page: Page, shop: Server) -> list[str]:
    listed = page.request.get(f"{shop.url}/api/v1/products").json()
    return [product["key"] for product in listed["products"]]


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Figures for the person running the tests, printed even while output is captured."""
    with capsys.disabled():
        sys.stdout.write(f"\n{line}\n")


def test_no_layout_shift_while_product_pages_load(
    shopper: Page, shop: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    page = shopper
    page.add_init_script(RECORD_LAYOUT_SHIFTS)
    products = demo_products(page, shop)
    assert len(products) >= 5
    scores: dict[str, float] = {}
    for product in products:
        open_product(page, shop, product)
        if preview_image(page).is_visible():  # products without views show their name instead
            expect_loaded(preview_image(page))
        page.wait_for_load_state("networkidle")
        shifts: list[dict[str, Any]] = page.evaluate("window.layoutShifts")
        scores[product] = sum(shift["value"] for shift in shifts)
        assert scores[product] < 0.1, f"{product}: cumulative layout shift {scores[product]:.3f}: {shifts}"
        # Nothing the engine says to engineers reaches the shopper
        expect(page.locator("main")).not_to_contain_text(re.compile("possible designs?", re.IGNORECASE))
    width = page.viewport_size["width"] if page.viewport_size else 0
    report(
        capsys, f"CLS at {width}px wide: " + ", ".join(f"{key} {value:.4f}" for key, value in scores.items())
    )


# --- latency: printed, never asserted against a clock ---------------------------------------------------

MEASURE_CLICK = """
async ([attribute, value]) => {
  const total = document.querySelector(".atelier-total");
  const image = document.querySelector(".atelier-preview-image");
  const input = document.querySelector(`[data-attribute="${attribute}"] input[value="${value}"]`);
  const before = image.getAttribute("src");
  let price = null;
  let preview = null;
  const start = performance.now();
  const priced = new Promise((resolve) => {
    const watcher = new MutationObserver(() => {
      price = performance.now() - start;
      watcher.disconnect();
      resolve();
    });
    watcher.observe(total, { childList: true, subtree: true, characterData: true });
  });
  const drawn = new Promise((resolve) => {
    const loaded = () => {
      if (image.getAttribute("src") === before) return;
      preview = performance.now() - start;
      image.removeEventListener("load", loaded);
      resolve();
    };
    image.addEventListener("load", loaded);
  });
  input.click();
  await Promise.all([priced, drawn]);
  return { price, preview };
}
"""


def snake(axes: list[tuple[str, list[str]]], steps: int) -> list[tuple[str, str]]:
    """Clicks walking through distinct designs, each changing one attribute (a reflected Gray code)."""
    clicks: list[tuple[str, str]] = []
    positions = [0] * len(axes)
    directions = [1] * len(axes)
    while len(clicks) < steps:
        for index, (attribute, values) in enumerate(axes):
            moved = positions[index] + directions[index]
            if 0 <= moved < len(values):
                positions[index] = moved
                clicks.append((attribute, values[moved]))
                break
            directions[index] = -directions[index]
        else:  # pragma: no cover - the axes hold more designs than the steps asked for
            raise AssertionError("not enough distinct designs")
    return clicks


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def test_click_to_price_and_click_to_preview_are_measured(
    page: Page, shop: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    open_product(page, shop, "celebration-cake")
    expect_loaded(preview_image(page))
    axes = [
        ("frosting", ["buttercream", "cream_cheese", "ganache", "fondant"]),
        ("sponge", ["vanilla", "chocolate", "lemon", "almond"]),
        ("filling", ["raspberry", "salted_caramel", "lemon_curd", "ganache"]),
    ]
    cold_clicks = snake(axes, 20)
    # Cold: designs never drawn before. Warm: the same designs again, walked back to the first.
    warm_clicks = [
        (cold_clicks[i][0], previous_value(cold_clicks, i)) for i in reversed(range(len(cold_clicks)))
    ]
    figures: dict[str, dict[str, list[float]]] = {}
    for name, clicks in [("cold", cold_clicks), ("warm", warm_clicks)]:
        taken: dict[str, list[float]] = {"price": [], "preview": []}
        for attribute, value in clicks:
            measured = page.evaluate(MEASURE_CLICK, [attribute, value])
            taken["price"].append(measured["price"])
            taken["preview"].append(measured["preview"])
        figures[name] = taken
    for name, taken in figures.items():
        for what, values in taken.items():
            report(
                capsys,
                f"click-to-{what} {name}: n={len(values)} p50={percentile(values, 0.5):.0f} ms "
                f"p95={percentile(values, 0.95):.0f} ms (median {statistics.median(values):.0f} ms)",
            )
    assert {name: {what: len(v) for what, v in t.items()} for name, t in figures.items()} == {
        "cold": {"price": 20, "preview": 20},
        "warm": {"price": 20, "preview": 20},
    }


def previous_value(clicks: list[tuple[str, str]], index: int) -> str:
    """The value `clicks[index]`'s attribute had before that click (walking back undoes it)."""
    attribute = clicks[index][0]
    for earlier in range(index - 1, -1, -1):
        if clicks[earlier][0] == attribute:
            return clicks[earlier][1]
    return {"frosting": "buttercream", "sponge": "vanilla", "filling": "raspberry"}[attribute]
