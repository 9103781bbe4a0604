"""The configuration session as the page shows it: the completed design with where each value comes from,
set-aside picks, clashing picks and ranked repairs (the configure answer's `design`, each domain's
`value`, `source` and `conflict`, boolean `applies`, the top-level `conflict`, and the repair answer's
`alternatives`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.steps import NOT_PICKED, click_greyed, configure_requests, field, open_product, price_box

CLASHES = "Clashes with another choice"


def test_the_tiers_shown_are_the_tiers_priced(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "celebration-cake")
    tiers = field(page, "tiers")
    expect(tiers.get_by_role("radio", name="1", exact=True)).to_be_checked()

    # When the shopper picks a large cake, which is made with 2 or 3 tiers
    page.get_by_text("Large, serves 30", exact=True).click()
    expect(price_box(page)).to_contain_text("Second tier")
    # Then the tiers control shows the 2 tiers that are priced, chosen and not greyed, marked as the shop's
    two = tiers.get_by_role("radio", name="2", exact=True)
    expect(two).to_be_checked()
    expect(two).not_to_have_attribute("aria-disabled", "true")
    expect(tiers.get_by_text(NOT_PICKED)).to_be_visible()
    expect(tiers.locator(".atelier-blocked").filter(has=page.locator(":checked"))).to_have_count(0)
    expect(price_box(page)).to_contain_text(re.compile(r"Tiers\s*2"))


def test_an_attribute_that_comes_to_apply_shows_the_value_ordered(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "engraved-mug")
    font = field(page, "font")
    # Without an engraving the font does not apply: no control
    expect(font).to_be_hidden()

    # When the shopper types an engraving, the font applies, showing the one the order would say
    page.get_by_label("Engraving", exact=True).fill("For Sam")
    expect(font).to_be_visible()
    expect(font.get_by_role("radio", name="Classic serif")).to_be_checked()
    expect(font.get_by_text(NOT_PICKED)).to_be_visible()
    expect(price_box(page)).to_contain_text(re.compile(r"Engraving font\s*Classic serif"))


def test_a_set_aside_pick_is_kept_and_comes_back(shopper: Page, shop: Server) -> None:
    page = shopper
    sent = configure_requests(page)
    open_product(page, shop, "engraved-mug")
    engraving = page.get_by_label("Engraving", exact=True)
    engraving.fill("For Sam")
    font = field(page, "font")
    font.get_by_text("Clean sans", exact=True).click()
    expect(font.get_by_role("radio", name="Clean sans")).to_be_checked()

    # When the engraving goes, the font control goes too, but the pick is still sent
    field(page, "engraving").get_by_role("button", name="Clear Engraving").click()
    expect(font).to_be_hidden()
    expect(price_box(page)).to_contain_text("Total €14.00")
    assert sent[-1]["picks"].get("font") == "sans"

    # And when an engraving comes back, so does the shopper's font
    engraving.fill("For Alex")
    expect(font).to_be_visible()
    expect(font.get_by_role("radio", name="Clean sans")).to_be_checked()
    expect(font.get_by_text(NOT_PICKED)).to_be_hidden()
    expect(font.get_by_role("button", name="Clear Engraving font")).to_be_visible()


def test_clashing_picks_are_marked_and_explained(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "engraved-mug")
    engraving = page.get_by_label("Engraving", exact=True)
    engraving.fill("For Sam")
    field(page, "font").get_by_text("Handwritten script", exact=True).click()
    expect(field(page, "font").get_by_role("radio", name="Handwritten script")).to_be_checked()

    # When the engraving grows past what the script fits, the two picks clash
    engraving.fill("Happy birthday Sam")
    message = page.locator(".atelier-conflict-message")
    expect(message).to_be_visible()
    expect(message).not_to_be_empty()
    expect(field(page, "engraving").get_by_text(CLASHES)).to_be_visible()
    expect(field(page, "font").get_by_text(CLASHES)).to_be_visible()
    # and only they are marked; the other options stay as the answer says (not all greyed)
    for other in ["colour", "material", "size", "gift_box"]:
        expect(field(page, other).get_by_text(CLASHES)).to_be_hidden()
    expect(page.get_by_role("radio", name="Sage green")).not_to_have_attribute("aria-disabled", "true")

    # When the shopper shortens the text, the clash is gone
    engraving.fill("Happy day")
    expect(message).to_be_hidden()
    expect(field(page, "font").get_by_text(CLASHES)).to_be_hidden()


def repair_answer(page: Page, action: Callable[[], None]) -> dict[str, Any]:
    """The repair endpoint's answer to what `action` makes the page ask."""
    with page.expect_response(lambda response: response.url.endswith("/repair")) as answered:
        action()
    answer: dict[str, Any] = answered.value.json()
    return answer


def test_a_greyed_option_offers_ranked_repairs_with_their_price(shopper: Page, shop: Server) -> None:
    page = shopper
    sent = configure_requests(page)
    open_product(page, shop, "engraved-mug")
    page.get_by_text("Enamelled steel", exact=True).click()
    expect(price_box(page)).to_contain_text("Total €16.00")

    # When the shopper insists on gold, the repairs are offered with what each does to the price
    repair = repair_answer(page, lambda: click_greyed(page.get_by_text("Gold", exact=True)))
    alternatives = repair["alternatives"]
    assert alternatives, repair
    dialog = page.get_by_role("dialog", name="Change your choices?")
    expect(dialog).to_contain_text("Switch material to Ceramic?")
    expect(dialog).to_contain_text(re.compile(r"total €\d+\.\d\d"))
    expect(dialog.get_by_role("button", name="Cancel")).to_be_visible()
    if len(alternatives) > 1:
        expect(dialog.locator(".atelier-alternative")).to_have_count(len(alternatives) - 1)

    # When they accept the first, its picks are sent exactly as offered
    before = len(sent)
    dialog.get_by_role("button", name="Yes, switch").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("radio", name="Gold")).to_be_checked()
    assert sent[before]["picks"] == alternatives[0]["picks"]
    expect(price_box(page)).to_contain_text(f"Total €{alternatives[0]['total']}")


def test_a_repair_that_needs_a_shorter_text_asks_for_it(shopper: Page, shop: Server) -> None:
    page = shopper
    open_product(page, shop, "engraved-mug")
    engraving = page.get_by_label("Engraving", exact=True)
    # One long word: no whole-word shortening fits the script's 12 characters
    engraving.fill("Supercalifragilistic")
    expect(price_box(page)).to_contain_text("Total €19.00")
    font = field(page, "font")
    script = font.get_by_role("radio", name="Handwritten script")
    expect(script).to_have_attribute("aria-disabled", "true")

    repair = repair_answer(page, lambda: click_greyed(font.get_by_text("Handwritten script", exact=True)))
    ranked = [i for i, alternative in enumerate(repair["alternatives"]) if alternative.get("needs_input")]
    assert ranked, repair
    dialog = page.get_by_role("dialog", name="Change your choices?")
    if ranked[0] == 0:
        dialog.get_by_role("button", name="Yes, switch").click()
    else:
        dialog.locator(".atelier-alternative").nth(ranked[0] - 1).click()
    expect(dialog).to_be_hidden()

    # Then the engraving has the focus, with the limit the script keeps, and the text is never cut
    need = repair["alternatives"][ranked[0]]["needs_input"][0]
    expect(engraving).to_be_focused()
    expect(field(page, "engraving").locator(".atelier-field-message")).to_contain_text(
        need.get("message") or str(need.get("max_length"))
    )
    expect(engraving).to_have_value("Supercalifragilistic")


def test_words_typed_as_a_repair_is_accepted_are_kept(shopper: Page, shop: Server) -> None:
    # Given the enamel mug, and gold asked for: the shop offers to switch to ceramic
    page = shopper
    open_product(page, shop, "engraved-mug")
    page.get_by_text("Enamelled steel", exact=True).click()
    expect(price_box(page)).to_contain_text("Total €16.00")
    click_greyed(page.get_by_text("Gold", exact=True))
    dialog = page.get_by_role("dialog", name="Change your choices?")
    expect(dialog).to_contain_text("Switch material to Ceramic?")
    # When the shopper accepts and types an engraving in the same moment (before the dialog's close
    # event reaches the page: a fast typist, or a busy phone)
    engraving = page.get_by_label("Engraving", exact=True)
    dialog.get_by_role("button", name="Yes, switch").evaluate(
        """(button, input) => {
          button.click();
          input.value = "For Sam";
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        engraving.element_handle(),
    )
    # Then the switch is made and the words are kept, shown and priced
    expect(price_box(page)).to_contain_text("Total €18.50")
    expect(engraving).to_have_value("For Sam")
