"""Campaigns in Chromium, with the offline provider and tasks run in process: the merchant starts a vote
on what to make next, shoppers vote (counts hidden until it closes), and the winning option is checked
then published into the product; limited editions are pre-ordered with nothing charged, then charged
when they reach their threshold or released when they miss it; the insights show the community; the
pages fit a phone.

The vote adds a bottle to the named bottle (no other browser test counts bottles); the editions are
sneakers, whose orders no other browser test counts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, Server
from tests.browser.steps import (
    accept_privacy,
    expect_paid_confirmation,
    field,
    fill_contact,
    no_horizontal_scroll,
    open_product,
    snap,
    token_of,
)
from tests.support.admin import admin_headers
from tests.support.community import Shopper

PHONE = {"width": 375, "height": 812}
VOTED_PRODUCT = "name-bottle"
EDITION_PRODUCT = "custom-sneaker"
# Shoppers made through the API each come from an address of their own, so that the shop's limits
# and its count of votes per device leave the browser's own (127.0.0.1) alone.
ADDRESSES = (f"10.78.{n // 250}.{n % 250 + 1}" for n in itertools.count())
CONTACT = {
    "email": "cleo@example.org",
    "name": "Cleo Park",
    "address": {"country": "FR", "postal_code": "69001", "city": "Lyon", "line1": "2 quai Saint-Vincent"},
}

OpenContext = Callable[..., Page]


@pytest.fixture(scope="module")
def manager(shop_app: Flask) -> dict[str, str]:
    return admin_headers(shop_app, "campaigns:manage", name="browser-campaigns")


@pytest.fixture(scope="module")
def moderator(shop_app: Flask) -> dict[str, str]:
    return admin_headers(shop_app, "community:moderate", name="browser-campaigns-moderator")


def open_campaigns_admin(page: Page, shop: Server, headers: dict[str, str], query: str = "") -> None:
    page.goto(f"{shop.url}/admin/campaigns{query}")
    page.get_by_label("Admin token").fill(token_of(headers))
    page.get_by_role("button", name="Use this token").click()
    expect(page.get_by_role("heading", name="Your campaigns")).to_be_visible()


def campaign_item(page: Page, title: str) -> Locator:
    return page.locator(".campaign-item").filter(has=page.get_by_role("heading", name=title, exact=True))


def candidate(page: Page, label: str) -> Locator:
    return page.locator(".candidate-card").filter(has=page.get_by_role("heading", name=label, exact=True))


def later(days: int = 10) -> str:
    from configurator.dbtypes import utcnow

    return (utcnow() + timedelta(days=days)).isoformat()


def a_design(app: Flask, picks: dict[str, Any]) -> str:
    saved = app.test_client().post("/api/v1/designs", json={"product": EDITION_PRODUCT, "picks": picks})
    assert saved.status_code == 201, saved.get_json()
    return str(saved.get_json()["id"])


def started(app: Flask, manager: dict[str, str], **body: Any) -> dict[str, Any]:
    """A campaign the merchant started through the API (when the test is about something else)."""
    made = app.test_client().post(
        "/api/v1/admin/campaigns", json={"closes_at": later(), **body}, headers=manager
    )
    assert made.status_code == 201, made.get_json()
    return dict(made.get_json())


def preordered(app: Flask, campaign: dict[str, Any]) -> dict[str, Any]:
    client = app.test_client()
    made = client.post(campaign["links"]["preorders"], json={"quantity": 1, "contact": CONTACT})
    assert made.status_code == 201, made.get_json()
    done = client.post(made.get_json()["links"]["complete"])
    assert done.status_code == 200, done.get_json()
    return dict(done.get_json())


def mails(app: Flask, order_path: str) -> list[str]:
    """The kinds of the messages in the outbox for the order behind an order page's address."""
    from sqlalchemy import select

    from configurator.extensions import db
    from configurator.mail.models import OutboxMessage
    from configurator.orders.models import Order

    token = order_path.rstrip("/").rsplit("/", 1)[-1]
    with app.app_context():
        kinds = db.session.scalars(
            select(OutboxMessage.kind)
            .join(Order, Order.id == OutboxMessage.order_id)
            .where(Order.token == token)
        ).all()
        db.session.remove()
    return sorted(kinds)


def published(
    app: Flask, moderator: dict[str, str], title: str, name: str, picks: dict[str, Any]
) -> dict[str, Any]:
    """A design of a new shopper's, in the gallery once the merchant approved it: the entry."""
    creator = Shopper(app.test_client(), address=next(ADDRESSES))
    saved = creator.call("POST", "/api/v1/designs", json={"product": EDITION_PRODUCT, "picks": picks})
    assert saved.status_code == 201, saved.get_json()
    offered = creator.publish(saved.get_json()["id"], title=title, name=name)
    assert offered.status_code == 201, offered.get_json()
    approved = app.test_client().post(
        f"/api/v1/admin/community/gallery/{offered.get_json()['id']}/decision",
        json={"decision": "approve"},
        headers=moderator,
    )
    assert approved.status_code == 200, approved.get_json()
    return dict(approved.get_json())


def pre_order(page: Page, pieces: int = 1) -> str:
    """Fill the pre-order form as a shopper does and send it; the order page's address."""
    form = page.get_by_role("region", name="Pre-order")
    expect(form).to_contain_text("Nothing is charged now.")
    form.get_by_label("Pieces").fill(str(pieces))
    fill_contact(page)
    form.get_by_role("button", name="Pre-order, nothing charged now").click()
    expect(form.get_by_role("heading", name="Pre-ordered")).to_be_visible()
    expect(form).to_contain_text("Nothing is charged now.")
    expect(form).to_contain_text("No card was asked for")
    order = form.get_by_role("link", name="See your order").get_attribute("href")
    assert order is not None
    assert order.startswith("/orders/")
    return order


def expect_reserved(page: Page) -> None:
    expect(page.get_by_role("heading", name="Your pre-order is reserved")).to_be_visible()
    expect(page.get_by_text("Status:")).to_contain_text("Pre-ordered: nothing charged yet")
    expect(page.locator(".preorder-note")).to_contain_text("Nothing is charged yet.")
    expect(page.get_by_text("no money moved")).to_have_count(0)


def close_now(page: Page, title: str, confirmation: str) -> Locator:
    item = campaign_item(page, title)
    item.get_by_role("button", name=f"Close now {title}").click()
    expect(item.get_by_role("group")).to_contain_text(confirmation)
    item.get_by_role("button", name="Yes, close it now").click()
    return campaign_item(page, title)


# --- a vote, from the merchant's form to a new option in the configurator -----------------------------


def test_a_vote_is_started_voted_on_closed_and_its_winner_published_into_the_product(
    page: Page, shop: Server, shop_app: Flask, manager: dict[str, str], open_context: OpenContext
) -> None:
    merchant = page
    # Given the merchant starts a vote on two new bottles from the campaigns page
    open_campaigns_admin(merchant, shop, manager)
    form = merchant.get_by_role("region", name="Start a vote")
    form.get_by_label("Title").fill("Which bottle next?")
    form.get_by_label("Product").select_option(label="Bottle with your name")
    # (a candidate needs its key and label: the form says so before the shop is asked)
    form.get_by_role("button", name="Start the vote").click()
    first = form.locator(".candidate-row").nth(0)
    expect(first.get_by_label("Option key")).to_have_accessible_description(re.compile("^A key: lowercase"))
    for row, (key, label) in zip(
        (first, form.locator(".candidate-row").nth(1)),
        (("glass_500", "Glass, 500 ml"), ("glass_750", "Glass, 750 ml")),
        strict=True,
    ):
        row.get_by_label("Attribute").select_option(label="Bottle")
        row.get_by_label("Option key").fill(key)
        row.get_by_label("Label shoppers read").fill(label)
    form.get_by_role("button", name="Start the vote").click()
    vote = campaign_item(merchant, "Which bottle next?")
    expect(vote).to_contain_text("Started: shoppers see it on its page.")
    expect(vote).to_contain_text("Open · Vote · Bottle with your name · closes")
    page_path = vote.get_by_role("link", name="Its page for shoppers").get_attribute("href")
    assert page_path is not None
    assert page_path.startswith("/campaigns/")

    # When Ana, who has not allowed the shop to keep her choices, votes for the 500 ml bottle
    ana = open_context()
    ana.goto(f"{shop.url}/campaigns")
    ana.get_by_role("link", name="Which bottle next?").click()
    expect(ana.get_by_role("heading", level=1, name="Which bottle next?")).to_be_visible()
    expect(ana.get_by_role("status").filter(has_text="Results when the vote closes on")).to_be_visible()
    expect(candidate(ana, "Glass, 500 ml")).to_contain_text("New bottle")
    candidate(ana, "Glass, 500 ml").get_by_role("button", name="Vote for Glass, 500 ml").click()
    # Then the shop asks for her consent, and her vote goes through once she gives it
    expect(candidate(ana, "Glass, 500 ml").get_by_role("alert")).to_contain_text(
        "first allow the shop to keep your choices"
    )
    candidate(ana, "Glass, 500 ml").get_by_role("button", name="Open your privacy choices").click()
    ana.get_by_role("region", name="Your privacy choices").get_by_role("button", name="Accept all").click()
    expect(ana.get_by_role("button", name="Vote for Glass, 500 ml")).to_have_attribute("aria-pressed", "true")
    expect(candidate(ana, "Glass, 500 ml").locator(".community-problem")).to_be_empty()
    # And she may vote for the other one too (approval voting), and the counts stay hidden
    ana.get_by_role("button", name="Vote for Glass, 750 ml").click()
    expect(ana.get_by_role("button", name="Vote for Glass, 750 ml")).to_have_attribute("aria-pressed", "true")
    expect(ana.locator(".candidate-votes")).to_have_count(0)
    snap(ana, "campaign-vote")

    # When Ben, who allowed it already, votes for the 500 ml bottle only
    ben = open_context()
    ben.goto(f"{shop.url}{page_path}")
    accept_privacy(ben)
    ben.get_by_role("button", name="Vote for Glass, 500 ml").click()
    expect(ben.get_by_role("button", name="Vote for Glass, 500 ml")).to_have_attribute("aria-pressed", "true")
    ben.reload()
    expect(ben.get_by_role("button", name="Vote for Glass, 500 ml")).to_have_attribute("aria-pressed", "true")
    expect(ben.get_by_role("button", name="Vote for Glass, 750 ml")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(ben.locator(".candidate-votes")).to_have_count(0)

    # Then the merchant sees the counts so far, and closes the vote after a confirmation
    merchant.reload()
    vote = campaign_item(merchant, "Which bottle next?")
    expect(vote).to_contain_text("Votes so far (shoppers see them when it closes)")
    expect(vote.locator("li").filter(has_text="Glass, 500 ml")).to_contain_text("2 votes")
    expect(vote.locator("li").filter(has_text="Glass, 750 ml")).to_contain_text("1 vote")
    vote = close_now(
        merchant, "Which bottle next?", "Nobody can vote any more, and shoppers see the results."
    )
    expect(vote).to_contain_text("Closed: shoppers see the results.")

    # And the shoppers see the results, the most voted first
    ben.reload()
    expect(ben.get_by_role("status").filter(has_text="The vote closed on")).to_be_visible()
    results = ben.get_by_role("list", name="Results")
    expect(results.locator(".candidate-card").first).to_contain_text("Glass, 500 ml")
    expect(candidate(ben, "Glass, 500 ml").locator(".candidate-votes")).to_have_text(
        "2 votes · most votes · you voted for it"
    )
    expect(candidate(ben, "Glass, 750 ml").locator(".candidate-votes")).to_have_text("1 vote")
    expect(ben.get_by_role("button", name=re.compile("^Vote for"))).to_have_count(0)
    snap(ben, "campaign-vote-results")

    # When the merchant checks the winner as the product's next version
    vote = campaign_item(merchant, "Which bottle next?")
    winner = vote.locator(".winner")
    expect(winner.get_by_label("Winning option")).to_have_value(re.compile(".+"))
    expect(winner.get_by_label("Winning option").locator("option:checked")).to_contain_text("Glass, 500 ml")
    winner.get_by_label(re.compile("^Its label in other languages")).fill("fr: Verre, 50 cl")
    winner.get_by_role("button", name="Check the winner of Which bottle next?").click()
    # Then it shows the new file and what it would change, unpublished
    expect(winner).to_contain_text("Checked: name-bottle.yaml with Glass, 500 ml added, not published yet.")
    expect(winner).to_contain_text("No saved design, cart or price changes")
    winner.locator("summary", has_text="The new name-bottle.yaml").click()
    added = winner.locator(".winner-added")
    expect(added).to_contain_text("glass_500:")
    expect(added).to_contain_text("Verre, 50 cl")
    expect(winner.locator(".winner-file").last).to_contain_text("product: name-bottle")
    snap(merchant, "admin-campaigns-winner")

    # And publishing needs the catalog:publish scope: the shop's refusal is said, the token kept
    winner.get_by_role("button", name="Publish the winner of Which bottle next?").click()
    expect(vote.locator(".moderation-result")).to_contain_text("catalog:publish")
    expect(merchant.get_by_label("Admin token")).to_be_hidden()

    # When a token that may publish is given, the winner is published
    publisher = admin_headers(shop_app, "campaigns:manage", "catalog:publish", name="browser-publisher")
    merchant.get_by_role("button", name="Forget token").click()
    merchant.get_by_label("Admin token").fill(token_of(publisher))
    merchant.get_by_role("button", name="Use this token").click()
    winner = campaign_item(merchant, "Which bottle next?").locator(".winner")
    winner.get_by_role("button", name="Check the winner of Which bottle next?").click()
    winner.get_by_role("button", name="Publish the winner of Which bottle next?").click()
    expect(campaign_item(merchant, "Which bottle next?").locator(".moderation-result")).to_have_text(
        "Published: Glass, 500 ml is live."
    )

    # Then the vote's page says the winner is an option now, and shoppers find it in the configurator
    ben.reload()
    expect(candidate(ben, "Glass, 500 ml")).to_contain_text("Now an option: make yours")
    expect(candidate(ben, "Glass, 750 ml")).not_to_contain_text("Now an option")
    open_product(ben, shop, VOTED_PRODUCT)
    expect(field(ben, "bottle").get_by_role("radio", name=re.compile("^Glass, 500 ml"))).to_be_visible()


# --- limited editions ------------------------------------------------------------------------------------


def test_an_edition_that_reaches_its_threshold_charges_every_pre_order(
    page: Page, shop: Server, shop_app: Flask, moderator: dict[str, str], open_context: OpenContext
) -> None:
    merchant = page
    # Given Ines's design in the gallery, and a merchant who may moderate and run campaigns
    entry = published(
        shop_app, moderator, "Sage runner", "Ines", {"upper": "sage", "laces": "gold", "accent": "terracotta"}
    )
    staff = admin_headers(shop_app, "community:moderate", "campaigns:manage", name="browser-campaigns-staff")

    # When the merchant starts an edition of it from the community page's link
    merchant.goto(f"{shop.url}/admin/community")
    merchant.get_by_label("Admin token").fill(token_of(staff))
    merchant.get_by_role("button", name="Use this token").click()
    merchant.get_by_label("Show").first.select_option("published")
    merchant.get_by_role("link", name="Start a limited edition of Sage runner").click()
    expect(merchant.get_by_role("heading", name="Your campaigns")).to_be_visible()
    form = merchant.get_by_role("region", name="Start a limited edition")
    expect(form.get_by_label("Design")).to_have_value(entry["design"])
    expect(form.get_by_role("img", name="The design, Custom sneaker")).to_be_visible()
    form.get_by_label("Title").fill("The sage low-top")
    form.get_by_label("Description (optional)").fill("Sage leather, gold laces, a terracotta stripe.")
    form.get_by_label("Pieces needed").fill("2")
    form.get_by_label("Most pieces").fill("1")
    form.get_by_role("button", name="Start the edition").click()
    expect(form.get_by_label("Most pieces")).to_have_accessible_description(
        re.compile("^At least the threshold")
    )
    form.get_by_label("Most pieces").fill("5")
    form.get_by_role("button", name="Start the edition").click()
    edition = campaign_item(merchant, "The sage low-top")
    expect(edition).to_contain_text("0 of 2 pieces reserved · at most 5 · 5 left")
    edition_path = edition.get_by_role("link", name="Its page for shoppers").get_attribute("href")

    # Then the gallery entry offers the edition
    shopper = open_context()
    shopper.goto(f"{shop.url}{entry['links']['page']}")
    shopper.get_by_role("link", name="pre-order it").click()
    expect(shopper.get_by_role("heading", level=1, name="The sage low-top")).to_be_visible()
    expect(shopper.locator(".credits")).to_have_text("Design by Ines")

    # When Ana pre-orders a pair from the edition's page
    ana = open_context()
    ana.goto(f"{shop.url}/campaigns")
    ana.get_by_role("link", name="The sage low-top").click()
    expect(ana.get_by_role("heading", level=1, name="The sage low-top")).to_be_visible()
    expect(ana.locator(".edition-count")).to_have_text("0 of 2 pre-ordered")
    expect(ana.get_by_text("5 pieces left of 5")).to_be_visible()
    expect(ana.locator(".atelier-preview-image")).to_have_js_property("complete", True)
    ana_order = pre_order(ana)

    # Then the page counts her piece, and her order page says it is reserved, nothing charged
    expect(ana.locator(".edition-count")).to_have_text("1 of 2 pre-ordered")
    expect(ana.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "1")
    snap(ana, "campaign-edition")
    ana.get_by_role("link", name="See your order").click()
    expect_reserved(ana)
    expect(ana.locator(".preorder-note")).to_contain_text(
        "If “The sage low-top” reaches 2 pre-ordered pieces by"
    )
    snap(ana, "order-reserved")

    # When Ben pre-orders one too, the threshold is reached
    ben = open_context()
    ben.goto(f"{shop.url}{edition_path}")
    ben_order = pre_order(ben)
    expect(ben.locator(".edition-count")).to_have_text("2 of 2 pre-ordered")
    expect(ben.get_by_text("Enough pre-orders: it will be made when pre-orders close on")).to_be_visible()

    # And the merchant closes it now
    merchant.reload()
    edition = campaign_item(merchant, "The sage low-top")
    expect(edition).to_contain_text("Pre-orders: 2 reserved (2 pieces)")
    edition = close_now(
        merchant, "The sage low-top", "It has reached its threshold: every reserved pre-order is charged"
    )
    expect(edition).to_contain_text("Closed: the threshold was reached.")
    expect(edition).to_contain_text("Made · Limited edition")

    # Then both orders are paid, and both shoppers have their confirmation in the outbox
    ana.reload()
    expect_paid_confirmation(ana)
    ben.goto(f"{shop.url}{ben_order}")
    expect_paid_confirmation(ben)
    assert mails(shop_app, ana_order) == ["order_confirmation"]
    assert mails(shop_app, ben_order) == ["order_confirmation"]
    # And the edition's page says it is made
    ben.goto(f"{shop.url}{edition_path}")
    expect(ben.get_by_text("Made: 2 of 2 pre-ordered when pre-orders closed on")).to_be_visible()
    expect(ben.get_by_role("region", name="Pre-order")).to_be_hidden()


def test_an_edition_that_misses_its_threshold_releases_its_pre_orders_and_charges_nobody(
    page: Page, shop: Server, shop_app: Flask, manager: dict[str, str], open_context: OpenContext
) -> None:
    # Given an edition that needs three pieces, of which a shopper pre-orders one
    design = a_design(shop_app, {"upper": "coral", "sole": "ink"})
    campaign = started(
        shop_app,
        manager,
        kind="edition",
        title="The coral runner",
        design=design,
        threshold=3,
        max_quantity=6,
    )
    shopper = page
    shopper.goto(f"{shop.url}{campaign['links']['page']}")
    order = pre_order(shopper)
    shopper.goto(f"{shop.url}{order}")
    expect_reserved(shopper)

    # When the merchant closes it before the threshold is reached
    merchant = open_context()
    open_campaigns_admin(merchant, shop, manager)
    edition = close_now(
        merchant, "The coral runner", "It has not reached its threshold: every pre-order is released"
    )
    expect(edition).to_contain_text("Closed: the threshold was not reached.")
    expect(edition).to_contain_text("Pre-orders: 1 released (1 piece)")
    merchant.get_by_role("region", name="Your campaigns").screenshot(
        path=str(ARTIFACTS / "admin-campaigns.png")
    )

    # Then the order page says the edition was not made and nothing was charged
    shopper.reload()
    expect(
        shopper.get_by_role("heading", name="The edition was not made: nothing was charged")
    ).to_be_visible()
    expect(shopper.get_by_text("Status:")).to_contain_text("Cancelled: the edition was not made")
    expect(shopper.locator(".preorder-note")).to_contain_text(
        "“The coral runner” did not reach its 3 pre-ordered pieces"
    )
    expect(shopper.locator(".preorder-note")).to_contain_text("Nothing was charged")
    snap(shopper, "order-released")
    # And the shopper was told so by e-mail
    assert mails(shop_app, order) == ["preorder_released"]
    # And the edition's page and the list say it was not made
    shopper.goto(f"{shop.url}{campaign['links']['page']}")
    expect(
        shopper.get_by_text("Not made: fewer than the 3 pieces needed were pre-ordered by")
    ).to_be_visible()
    shopper.goto(f"{shop.url}/campaigns")
    decided = shopper.get_by_role("list", name="Decided campaigns")
    expect(decided.locator(".campaign-card").filter(has_text="The coral runner")).to_contain_text(
        "Nothing was charged."
    )


# --- the merchant's insights ------------------------------------------------------------------------------


def test_the_insights_dashboard_shows_the_community_around_a_product(
    page: Page, shop: Server, shop_app: Flask, manager: dict[str, str], moderator: dict[str, str]
) -> None:
    # Given a vote on new soles with three votes, and an edition with one piece pre-ordered
    vote = started(
        shop_app,
        manager,
        kind="vote",
        title="Which sole next?",
        product=EDITION_PRODUCT,
        candidates=[
            {"label": "Gum rubber", "attribute": "outsole", "option": "gum"},
            {"label": "Crepe", "attribute": "outsole", "option": "crepe"},
        ],
    )
    gum, crepe = sorted(vote["candidates"], key=lambda c: c["label"] != "Gum rubber")
    for chosen in (gum, gum, crepe):
        voted = Shopper(shop_app.test_client(), address=next(ADDRESSES)).call("PUT", chosen["links"]["vote"])
        assert voted.status_code == 200, voted.get_json()
    edition = started(
        shop_app,
        manager,
        kind="edition",
        title="The ink high street",
        design=a_design(shop_app, {"upper": "ink", "laces": "snow"}),
        threshold=4,
        max_quantity=8,
    )
    preordered(shop_app, edition)
    # and a published design with a vote, and an idea about the sneaker
    entry = published(shop_app, moderator, "Sky walker", "Ana", {"upper": "sky"})
    fan = Shopper(shop_app.test_client(), address=next(ADDRESSES))
    voted = fan.call("PUT", entry["links"]["vote"])
    assert voted.status_code == 200, voted.get_json()
    idea = {"title": "Laces that glow", "body": "For night runs.", "product": EDITION_PRODUCT}
    assert fan.call("POST", "/api/v1/ideas", json=idea).status_code == 201
    reader = admin_headers(shop_app, "insights:read", name="browser-community-insights")

    # When the merchant opens the sneaker's insights
    page.goto(f"{shop.url}/admin/insights")
    page.get_by_label("Admin token").fill(token_of(reader))
    page.get_by_role("button", name="Use this token").click()
    page.get_by_label("Product").select_option(EDITION_PRODUCT)
    expect(page.get_by_role("heading", name=re.compile(r"^Custom sneaker: "))).to_be_visible()

    # Then the community section shows the votes per day and where each campaign stands
    expect(page.get_by_role("heading", name="Community", exact=True)).to_be_visible()
    votes = page.get_by_role("table", name=re.compile(r"^Votes per day over 30 days"))
    expect(votes.get_by_role("row", name=re.compile("^Votes"))).to_be_visible()
    campaigns = page.get_by_role("table", name="Campaigns and where they stand")
    expect(campaigns.get_by_role("row", name=re.compile("^Which sole next?"))).to_contain_text(
        "3 votes, leader: Gum rubber"
    )
    expect(campaigns.get_by_role("row", name=re.compile("^The ink high street"))).to_contain_text(
        "1 of 4 reserved"
    )
    # And the gallery and the ideas by status, with the most voted
    expect(page.get_by_role("table", name=re.compile(r"^Gallery entries: \d+ by status"))).to_contain_text(
        "Published"
    )
    expect(page.get_by_role("table", name=re.compile(r"^Ideas: \d+ by status"))).to_contain_text("Open")
    top = page.get_by_role("table", name="Gallery entries with the most votes in the window")
    expect(top.get_by_role("row", name=re.compile("^Sky walker"))).to_contain_text("Ana")
    community = page.locator("section").filter(has=page.get_by_role("heading", name="Community", exact=True))
    community.screenshot(path=str(ARTIFACTS / "insights-community.png"))


# --- a phone ------------------------------------------------------------------------------------------


def test_the_campaign_pages_fit_a_phone(
    shop: Server, shop_app: Flask, manager: dict[str, str], open_context: OpenContext
) -> None:
    edition = started(
        shop_app,
        manager,
        kind="edition",
        title="The snow classic, limited to a few pairs",
        description="White leather on a vulcanised sole.",
        design=a_design(shop_app, {"outsole": "vulcanised", "accent": "sky"}),
        threshold=3,
        max_quantity=9,
    )
    vote = started(
        shop_app,
        manager,
        kind="vote",
        title="A new upper material?",
        product=EDITION_PRODUCT,
        candidates=[
            {"label": "Waxed canvas", "attribute": "material", "option": "canvas"},
            {"label": "Recycled felt", "attribute": "material", "option": "felt"},
        ],
    )
    phone = open_context(PHONE)

    phone.goto(f"{shop.url}{edition['links']['page']}")
    expect(phone.locator(".edition-count")).to_have_text("0 of 3 pre-ordered")
    expect(phone.locator(".atelier-preview-image")).to_have_js_property("complete", True)
    no_horizontal_scroll(phone)
    snap(phone, "phone-campaign-edition")

    phone.goto(f"{shop.url}{vote['links']['page']}")
    expect(phone.get_by_role("button", name="Vote for Waxed canvas")).to_be_visible()
    no_horizontal_scroll(phone)
    snap(phone, "phone-campaign-vote")

    phone.goto(f"{shop.url}/campaigns")
    expect(phone.get_by_role("link", name="A new upper material?")).to_be_visible()
    no_horizontal_scroll(phone)
    snap(phone, "phone-campaigns")

    open_campaigns_admin(phone, shop, manager)
    expect(campaign_item(phone, "The snow classic, limited to a few pairs")).to_contain_text("0 of 3")
    expect(phone.get_by_role("region", name="Start a vote").locator(".candidate-row")).to_have_count(2)
    no_horizontal_scroll(phone)
    snap(phone, "phone-admin-campaigns")
