"""The community in Chromium: a design goes from one shopper through the merchant's approval to another
shopper who votes for it and starts from it (the credit follows to their design and cart); reports take
an entry out of the gallery; an idea's follower hears of its new status; the pages fit a phone.

The designs are sneakers: designs saved with consent teach the shop's recommendations, and only the
campaigns' tests (editions of sneakers) share the product, so the other tests' products stay unmarked."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Server
from tests.browser.steps import (
    accept_privacy,
    expect_paid_confirmation,
    field,
    fill_contact,
    no_horizontal_scroll,
    open_product,
    price_box,
    snap,
    token_of,
)
from tests.support.admin import admin_headers
from tests.support.community import Shopper

PHONE = {"width": 375, "height": 812}
PRODUCT = "custom-sneaker"
# Each shopper made through the API comes from an address of its own: the shop's limits on writes
# and its count of votes per device then leave the browser's own (127.0.0.1) alone.
ADDRESSES = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture(scope="module")
def moderator(shop_app: Flask) -> dict[str, str]:
    return admin_headers(shop_app, "community:moderate", name="browser-community")


def open_moderation(page: Page, shop: Server, moderator: dict[str, str]) -> None:
    page.goto(f"{shop.url}/admin/community")
    page.get_by_label("Admin token").fill(token_of(moderator))
    page.get_by_role("button", name="Use this token").click()
    expect(page.get_by_role("heading", name="Gallery", exact=True)).to_be_visible()


def card(page: Page, title: str) -> Locator:
    return page.locator(".gallery-card").filter(has=page.get_by_role("heading", name=title, exact=True))


# --- the shop's side through its API, for what a test only needs to exist ----------------------------


def a_shopper(app: Flask) -> Shopper:
    """A consenting shopper of the API, on an address of its own."""
    return Shopper(app.test_client(), address=next(ADDRESSES))


def published(
    app: Flask, moderator: dict[str, str], title: str, name: str, picks: dict[str, Any]
) -> dict[str, Any]:
    """A design of a new shopper's, offered to the gallery and approved by the merchant: the entry."""
    shopper = a_shopper(app)
    saved = shopper.call("POST", "/api/v1/designs", json={"product": PRODUCT, "picks": picks})
    assert saved.status_code == 201, saved.get_json()
    offered = shopper.publish(saved.get_json()["id"], title=title, name=name)
    assert offered.status_code == 201, offered.get_json()
    decided = app.test_client().post(
        f"/api/v1/admin/community/gallery/{offered.get_json()['id']}/decision",
        json={"decision": "approve"},
        headers=moderator,
    )
    assert decided.status_code == 200, decided.get_json()
    return dict(decided.get_json())


def suggest_idea(app: Flask, title: str, body: str) -> None:
    made = a_shopper(app).call("POST", "/api/v1/ideas", json={"title": title, "body": body})
    assert made.status_code == 201, made.get_json()


# --- the whole loop -----------------------------------------------------------------------------------


def test_a_design_goes_from_ana_through_the_merchant_to_ben_who_votes_and_starts_from_it(
    page: Page, shop: Server, moderator: dict[str, str], open_context: Any
) -> None:
    ana = page
    # Given Ana, who lets the shop keep her choices, saves a sneaker with a sage green upper
    open_product(ana, shop, PRODUCT)
    accept_privacy(ana)
    field(ana, "upper").get_by_text("Sage green", exact=True).click()
    expect(field(ana, "upper").get_by_role("radio", name="Sage green")).to_be_checked()
    ana.get_by_role("button", name="Save & share").click()
    ana.get_by_role("link", name="Open the shared design").click()

    # When she publishes it from the design's page (a title is needed first)
    publish = ana.get_by_role("region", name="Publish to the gallery")
    publish.get_by_role("button", name="Publish").click()
    expect(publish.get_by_label("Title")).to_have_accessible_description("Give your design a title.")
    publish.get_by_label("Title").fill("Sage morning")
    publish.get_by_label("Your name, as shown").fill("Ana")
    publish.get_by_role("button", name="Publish").click()

    # Then it waits for the merchant, and the gallery does not show it yet
    expect(publish).to_contain_text("“Sage morning” waits for the shop's approval")
    ana.reload()
    expect(ana.get_by_role("region", name="Publish to the gallery")).to_contain_text(
        "waits for the shop's approval"
    )
    ana.goto(f"{shop.url}/gallery")
    expect(ana.locator(".listing-status")).to_have_text(re.compile(r"design|No design"))
    expect(card(ana, "Sage morning")).to_have_count(0)

    # When the merchant approves it on the community page
    merchant = open_context()
    open_moderation(merchant, shop, moderator)
    queued = merchant.locator(".moderation-item").filter(has_text="Sage morning")
    expect(queued).to_contain_text("by Ana")
    expect(queued.get_by_role("img", name="Sage morning, Custom sneaker")).to_be_visible()
    snap(merchant, "community-moderation")
    queued.get_by_role("button", name="Approve Sage morning").click()
    expect(queued).to_contain_text("Approved: it is in the gallery.")

    # Then Ben, in another browser, finds it in the gallery, by Ana
    ben = open_context()
    ben.goto(f"{shop.url}/gallery")
    entry = card(ben, "Sage morning")
    expect(entry).to_contain_text("by Ana")
    expect(entry.locator(".vote-count")).to_have_text("0 votes")
    expect(entry.locator("img")).to_have_js_property("complete", True)

    # When he votes without having said yes to keeping his choices, the shop says why not and asks
    entry.get_by_role("button", name="Vote for Sage morning").click()
    expect(entry.get_by_role("alert")).to_contain_text("first allow the shop to keep your choices")
    entry.get_by_role("button", name="Open your privacy choices").click()
    panel = ben.get_by_role("region", name="Your privacy choices")
    panel.get_by_role("button", name="Accept all").click()

    # Then his vote goes through once he has said yes, and the count says so
    expect(entry.locator(".vote-count")).to_have_text("1 vote")
    expect(entry.get_by_role("button", name="Vote for Sage morning")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(entry.locator(":scope > .community-problem")).to_be_empty()
    ben.reload()
    expect(card(ben, "Sage morning").get_by_role("button", name="Vote for Sage morning")).to_have_attribute(
        "aria-pressed", "true"
    )
    snap(ben, "gallery")

    # And the entry's page carries the card a chat shows of its link
    card(ben, "Sage morning").get_by_role("link", name="Sage morning", exact=True).click()
    expect(ben.get_by_role("heading", level=1, name="Sage morning")).to_be_visible()
    head = ben.locator("head")
    expect(head.locator('meta[property="og:title"]')).to_have_attribute("content", "Sage morning · Ana")
    expect(head.locator('meta[property="og:image"]')).to_have_attribute(
        "content", re.compile(r"^https?://[^/]+/api/v1/previews/\d+/")
    )
    expect(head.locator('meta[property="og:url"]')).to_have_attribute(
        "content", re.compile(r"/gallery/[\w-]+$")
    )
    expect(head.locator('meta[name="twitter:card"]')).to_have_attribute("content", "summary_large_image")
    expect(ben.locator(".atelier-preview-image")).to_have_js_property("complete", True)
    snap(ben, "gallery-entry")

    # When Ben starts from it, adds his ID on the heel and saves his copy
    ben.get_by_role("link", name="Start from this design").click()
    expect(price_box(ben)).to_contain_text("Total")
    expect(field(ben, "upper").get_by_role("radio", name="Sage green")).to_be_checked()
    ben.get_by_label("Personal ID on the heel", exact=True).fill("BEN-01")
    expect(price_box(ben)).to_contain_text("BEN-01")
    ben.get_by_role("button", name="Save & share").click()
    expect(ben.get_by_label("Share link")).to_be_visible()
    ben.get_by_role("button", name="Add to cart").click()
    expect(ben.get_by_role("link", name="View cart (1 item)")).to_be_visible()
    ben.get_by_role("link", name="Open the shared design").click()

    # Then his design credits Ana, and so does his cart
    expect(ben.locator(".credits")).to_have_text("After a design by Ana")
    expect(ben.locator(".credits").get_by_role("link", name="Ana")).to_have_attribute(
        "href", re.compile(r"^/gallery/[\w-]+$")
    )
    snap(ben, "design-credits")
    ben.goto(f"{shop.url}/cart")
    expect(ben.locator(".cart-line .credits")).to_have_text("After a design by Ana")

    # And so does his order, once paid
    ben.get_by_role("link", name="Checkout").click()
    fill_contact(ben)
    ben.get_by_role("button", name="Continue to payment").click()
    ben.get_by_role("button", name="Test payment — no money moves").click()
    expect_paid_confirmation(ben)
    expect(ben.locator(".order-line .credits")).to_have_text("After a design by Ana")

    # And Ana's own design's page names her as its designer, with the card of its link
    ana.go_back()
    expect(ana.locator(".credits")).to_have_text("Design by Ana")
    expect(ana.locator('head meta[property="og:title"]')).to_have_attribute("content", "Custom sneaker")
    expect(ana.get_by_role("region", name="Publish to the gallery")).to_contain_text(
        "“Sage morning” is in the gallery."
    )


def test_a_report_takes_an_entry_out_of_the_gallery_until_the_merchant_decides(
    page: Page, shop: Server, shop_app: Flask, moderator: dict[str, str]
) -> None:
    # Given a published design of someone else's
    entry = published(shop_app, moderator, "Gold rush", "Cleo", {"laces": "gold"})
    page.goto(f"{shop.url}/gallery?sort=new")
    accept_privacy(page)
    reported = card(page, "Gold rush")
    expect(reported).to_contain_text("by Cleo")
    # (the voting view shuffles the designs: it is there too, in whatever place, once the shuffled list
    # has replaced the one shown, whose cards the report would otherwise be opened on)
    page.get_by_role("tab", name="Vote").click()
    expect(page.get_by_role("tabpanel")).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_text("In a random order, so that every design has the same chance")).to_be_visible()
    expect(reported.get_by_role("button", name="Vote for Gold rush")).to_be_visible()

    # When a shopper reports it, with a note for the shop
    reported.locator("summary", has_text="Report").click()
    reported.get_by_label("What is wrong with it?").select_option(label="Spam or advertising")
    reported.get_by_label("Anything to add (optional)").fill("An advert for another shop")
    reported.get_by_role("button", name="Send the report").click()

    # Then they are thanked, and the entry is gone from the gallery and its page
    expect(reported).to_contain_text("The shop will look at “Gold rush”")
    page.reload()
    expect(page.locator(".listing-status")).to_have_text(re.compile(r"design"))
    expect(card(page, "Gold rush")).to_have_count(0)
    page.goto(f"{shop.url}{entry['links']['page']}")
    expect(page.get_by_role("alert")).to_contain_text("We cannot find this design in the gallery.")
    expect(page.locator('meta[property="og:title"]')).to_have_count(0)

    # And the merchant sees it held, with the report's note, and may not reject it without a reason
    page.goto(f"{shop.url}/admin/community")
    page.get_by_label("Admin token").fill(token_of(moderator))
    page.get_by_role("button", name="Use this token").click()
    held = page.locator(".moderation-item").filter(has_text="Gold rush")
    expect(held).to_contain_text("Reported: out of the gallery until you decide")
    expect(held).to_contain_text("Spam: “An advert for another shop”")
    held.get_by_role("button", name="Reject Gold rush").click()
    reason = held.get_by_label(re.compile("^Reason"))
    expect(reason).to_have_accessible_description("Say why: the creator reads it.")
    reason.fill("Advertising is not allowed in the gallery")
    held.get_by_role("button", name="Reject Gold rush").click()
    expect(held).to_contain_text("Rejected: its creator sees your reason.")


def test_an_idea_is_suggested_followed_and_its_follower_hears_it_is_planned(
    page: Page, shop: Server, shop_app: Flask, moderator: dict[str, str], open_context: Any
) -> None:
    from sqlalchemy import select

    from configurator.extensions import db
    from configurator.mail.models import OutboxMessage

    # Given Ana suggests an idea on the board
    ana = page
    ana.goto(f"{shop.url}/ideas")
    accept_privacy(ana)
    suggest = ana.get_by_role("region", name="Suggest an idea")
    suggest.get_by_label("Your idea").fill("A walnut mug")
    suggest.get_by_label("Tell us more").fill("Wood, please, with a matching lid.")
    suggest.get_by_label("Product (optional)").select_option(label="Engraved mug")
    suggest.get_by_label("Your name (optional)").fill("Ana")
    suggest.get_by_role("button", name="Post my idea").click()
    expect(suggest).to_contain_text("Your idea is on the board")
    posted = ana.locator(".idea-card").filter(has_text="A walnut mug")
    expect(posted.locator(".idea-meta")).to_have_text("open · by Ana · Engraved mug")
    expect(posted.locator(".vote-count")).to_have_text("1 vote")
    # her vote counts at once, and she may take it back and give it again
    vote = posted.get_by_role("button", name="Vote for A walnut mug")
    expect(vote).to_have_attribute("aria-pressed", "true")
    vote.click()
    expect(posted.locator(".vote-count")).to_have_text("0 votes")
    expect(vote).to_have_attribute("aria-pressed", "false")
    vote.click()
    expect(posted.locator(".vote-count")).to_have_text("1 vote")
    snap(ana, "ideas")

    # When Ben opens it and follows it with his e-mail address
    ben = open_context()
    ben.goto(f"{shop.url}/ideas")
    accept_privacy(ben)
    ben.locator(".idea-card").filter(has_text="A walnut mug").get_by_role("link", name="A walnut mug").click()
    expect(ben.get_by_role("heading", level=1, name="A walnut mug")).to_be_visible()
    email = ben.get_by_label("Your e-mail address")
    email.fill("ben@")
    ben.get_by_role("button", name="Follow A walnut mug").click()
    expect(email).to_have_accessible_description(re.compile("^Enter an e-mail address such as"))
    email.fill("ben@example.org")
    ben.get_by_role("button", name="Follow A walnut mug").click()
    expect(ben.get_by_text("You follow this idea")).to_be_visible()

    # And the merchant plans it, with a note
    merchant = open_context()
    open_moderation(merchant, shop, moderator)
    idea = merchant.locator(".moderation-idea").filter(has_text="A walnut mug")
    expect(idea).to_contain_text("1 vote")
    idea.get_by_label("Status").select_option("planned")
    idea.get_by_label(re.compile("^Note for shoppers")).fill("For the spring collection")
    idea.get_by_role("button", name="Save A walnut mug").click()
    expect(idea).to_contain_text("Saved: planned. Its followers are e-mailed.")

    # Then Ben's address has the news in the outbox
    with shop_app.app_context():
        mails = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "idea_status", OutboxMessage.recipient == "ben@example.org"
            )
        ).all()
        assert len(mails) == 1
        assert "A walnut mug" in mails[0].subject
        assert "For the spring collection" in mails[0].body
        db.session.remove()

    # And the idea's page says it is planned, with the shop's note
    ben.reload()
    expect(ben.locator(".idea-status")).to_have_text("planned")
    expect(ben.locator(".idea-note")).to_have_text("From the shop: For the spring collection")
    snap(ben, "idea")

    # And the board lists it among the planned ideas, not beside open ones; Ben may stop following it
    ben.get_by_role("button", name="Stop following").click()
    expect(ben.get_by_text("Follow by e-mail")).to_be_visible()
    suggest_idea(shop_app, "Oak coasters", "Sets of four.")
    ben.goto(f"{shop.url}/ideas")
    expect(ben.locator(".idea-card").filter(has_text="Oak coasters")).to_be_visible()
    ben.get_by_label("Status").select_option(label="Planned")
    expect(ben.locator(".idea-card").filter(has_text="Oak coasters")).to_have_count(0)
    expect(ben.locator(".idea-card").filter(has_text="A walnut mug")).to_contain_text("From the shop")
    expect(ben).to_have_url(re.compile(r"/ideas\?status=planned$"))


def test_the_community_pages_fit_a_phone(
    shop: Server, shop_app: Flask, moderator: dict[str, str], open_context: Any
) -> None:
    entry = published(shop_app, moderator, "Coral step", "Dee", {"upper": "coral", "personal_id": "DEE-7"})
    suggest_idea(shop_app, "Tea cosies", "To keep the mug warm.")
    phone = open_context(PHONE)

    phone.goto(f"{shop.url}/gallery?sort=new")
    expect(card(phone, "Coral step")).to_contain_text("by Dee")
    expect(card(phone, "Coral step").locator("img")).to_have_js_property("complete", True)
    no_horizontal_scroll(phone)
    snap(phone, "phone-gallery")

    phone.goto(f"{shop.url}{entry['links']['page']}")
    expect(phone.get_by_role("heading", level=1, name="Coral step")).to_be_visible()
    expect(phone.locator(".atelier-preview-image")).to_have_js_property("complete", True)
    no_horizontal_scroll(phone)
    snap(phone, "phone-gallery-entry")

    phone.goto(f"{shop.url}/ideas")
    expect(phone.locator(".idea-card").filter(has_text="Tea cosies")).to_be_visible()
    no_horizontal_scroll(phone)
    snap(phone, "phone-ideas")

    phone.goto(f"{shop.url}/admin/community")
    phone.get_by_label("Admin token").fill(token_of(moderator))
    phone.get_by_role("button", name="Use this token").click()
    expect(phone.get_by_role("heading", name="Ideas", exact=True)).to_be_visible()
    expect(phone.locator(".moderation-idea").first).to_be_visible()
    no_horizontal_scroll(phone)
    snap(phone, "phone-community-moderation")
