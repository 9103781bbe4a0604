"""The random shopper in Chromium, on a desktop and on a phone, on the shop's product pages and in the
partner widget: seeded walks over every demo product that click available and greyed options, accept,
pick among or decline the repairs offered, type, edit and delete texts, change numbers, clear picks, undo,
start over and switch views. After every step, once the
page has shown the answer to its latest change (the summary is no longer `aria-busy`):

- nothing the page asked was refused: no 4xx or 5xx from the shop, no script error;
- the page shows the answer's design: every control that shows holds the design's value, exactly the
  attributes that apply show, each says where its value comes from, a chosen option is never greyed, the
  summary lists the design's choices and the total is the answer's total;
- an invalid design says why: every refusal and the clash, in the page's own words;
- the preview never disappears once a picture was shown;
- no text on the page reads like an engineer's.

Steps are bounded: ATELIER_BROWSER_SHOPPER_STEPS per viewport and page (default 25, shared by the
products), ATELIER_BROWSER_SHOPPER_SEED chooses the walks (a failure prints the seed, the product and
its steps).
A long run:

    ATELIER_BROWSER_SHOPPER_STEPS=400 .venv/bin/python -m pytest tests/browser/test_random_shopper.py -q -s \
        -p no:cacheprovider
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import parse_qs

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request, Response, expect

from tests.browser.conftest import Server, serve
from tests.browser.steps import click_greyed, open_product, price_box
from tests.browser.test_widget import HOST_PAGE
from tests.support.wording import WORDS, engineer_pattern

STEPS = int(os.environ.get("ATELIER_BROWSER_SHOPPER_STEPS", "25"))
SEED = int(os.environ.get("ATELIER_BROWSER_SHOPPER_SEED", "20261207"))

# The state of every control as the shopper sees it, read in one go.
READ_PAGE = """
root => {
  const fields = {};
  for (const element of root.querySelectorAll("[data-attribute]")) {
    const typed = element.querySelector("input[type=text], textarea, input[type=number]");
    fields[element.dataset.attribute] = {
      shown: !element.hidden && element.closest("[hidden]") === null,
      source: element.dataset.source ?? null,
      radios: [...element.querySelectorAll("input[type=radio]:checked")].map((input) => ({
        value: input.value, greyed: input.getAttribute("aria-disabled") === "true" })),
      boxes: [...element.querySelectorAll("input[type=checkbox]")].map((box) => [box.value, box.checked]),
      typed: typed ? typed.value : null,
      focused: typed !== null && typed === root.getRootNode().activeElement,
    };
  }
  const summary = [...root.querySelectorAll(".atelier-summary-choices dt")].map(
    (term) => [term.textContent, term.nextElementSibling?.textContent ?? ""]);
  const picture = root.querySelector(".atelier-preview-image");
  return {
    fields,
    summary,
    amount: root.querySelector(".atelier-amount")?.textContent ?? "",
    picture: Boolean(picture && !picture.hidden && picture.naturalWidth > 0),
  };
}
"""

# What a shopper can do on the page now, read in one go: options (by index among `.atelier-option`),
# text and number boxes, Clear buttons, the toolbar and the views.
READ_MOVES = """
root => {
  const visible = (element) => element.closest("[hidden]") === null && element.getClientRects().length > 0;
  const options = [...root.querySelectorAll(".atelier-form .atelier-option")].map((option, index) => ({
    index,
    visible: visible(option),
    greyed: option.classList.contains("atelier-blocked"),
    checked: Boolean(option.querySelector("input:checked")),
  })).filter((option) => option.visible);
  const boxes = [...root.querySelectorAll(".atelier-form [data-attribute]")].flatMap((element) => {
    const input = element.querySelector("input[type=text], textarea, input[type=number]");
    return input && visible(input) ? [{ attribute: element.dataset.attribute, type: input.type,
      min: input.min, max: input.max, step: input.step }] : [];
  });
  const clears = [...root.querySelectorAll(".atelier-clear")].filter((b) => !b.hidden && visible(b))
    .map((b) => b.getAttribute("aria-label"));
  const tools = [...root.querySelectorAll(".atelier-toolbar button")].filter((b) => !b.disabled)
    .map((b) => b.textContent);
  const views = [...root.querySelectorAll(".atelier-visual .atelier-views button")].filter(visible)
    .map((b) => b.textContent);
  return { options, boxes, clears, tools, views };
}
"""


# The picture asked for has arrived or failed (and the last one is back): nothing is loading.
PICTURE_SETTLED = """
root => {
  const figure = root.querySelector(".atelier-preview");
  const picture = root.querySelector(".atelier-preview-image");
  return !figure || (!figure.dataset.loading && (!picture || picture.hidden || picture.complete));
}
"""


class Break(AssertionError):
    """A promise of the page that a step broke."""


@dataclass
class Tally:
    """What the walks did, for the summary line."""

    walks: int = 0
    steps: int = 0
    answers: int = 0
    invalid: int = 0
    actions: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        actions = ", ".join(f"{name} {n}" for name, n in sorted(self.actions.items()))
        return (
            f"browser random shopper: {self.walks} walks, {self.steps} steps, "
            f"{self.answers} answers checked, {self.invalid} invalid states shown; steps: {actions}"
        )


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    yield
    sys.stdout.write(f"\n{TALLY.line()}\n")


@pytest.fixture(scope="module", autouse=True)
def _pictures_unlimited(shop_app: Flask) -> Iterator[None]:
    """New pictures unlimited while the walks run: a walk draws far more of them a minute than a person
    (the page's own answer to a refused picture is pinned in test_configurator_page.py)."""
    limits = shop_app.config["ATELIER_RATELIMITS"]
    shop_app.config["ATELIER_RATELIMITS"] = {**limits, "previews": 0}
    yield
    shop_app.config["ATELIER_RATELIMITS"] = limits


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class Walk:
    """One shopper on one product page: the steps they take and what the page must show after each."""

    def __init__(self, page: Page, shop: Server, product: str, spec: dict[str, Any], rng: random.Random):
        self.page, self.shop, self.product, self.spec, self.rng = page, shop, product, spec, rng
        self.root = page.locator("article.atelier")
        self.asked: list[Request] = []
        self.refused: list[str] = []
        self.typed: set[str] = set()
        self.log: list[str] = []
        self.pictured = False
        page.on("request", self.sent)
        page.on("response", self.answered)
        page.on("pageerror", self.script_error)

    def stop(self) -> None:
        """Stop listening: the next product's walk listens on the same page."""
        self.page.remove_listener("request", self.sent)
        self.page.remove_listener("response", self.answered)
        self.page.remove_listener("pageerror", self.script_error)

    def script_error(self, error: Exception) -> None:
        self.refused.append(f"script error: {error}")

    def sent(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/products/{self.product}/configure"):
            self.asked.append(request)

    def answered(self, response: Response) -> None:
        if response.url.startswith(self.shop.url) and response.status >= 400:
            self.refused.append(f"{response.request.method} {response.url} -> {response.status}")

    # --- moves ---------------------------------------------------------------------------------------

    def step(self) -> None:
        moves = self.root.evaluate(READ_MOVES)
        choices: list[tuple[int, str, Callable[[], None]]] = []
        available = [o for o in moves["options"] if not o["greyed"]]
        greyed = [o for o in moves["options"] if o["greyed"]]
        if available:
            choices.append((40, "pick", lambda: self.pick(self.rng.choice(available)["index"])))
        if greyed:
            choices.append((20, "greyed", lambda: self.insist(self.rng.choice(greyed)["index"])))
        if moves["boxes"]:
            choices.append((20, "type", lambda: self.type(self.rng.choice(moves["boxes"]))))
        if moves["clears"]:
            choices.append((8, "clear", lambda: self.clear(self.rng.choice(moves["clears"]))))
        if "Undo" in moves["tools"]:
            choices.append((6, "undo", lambda: self.tool("Undo")))
        if "Start over" in moves["tools"]:
            choices.append((2, "start over", lambda: self.tool("Start over")))
        if len(moves["views"]) > 1:
            choices.append((4, "view", lambda: self.view(self.rng.choice(moves["views"]))))
        weights = [weight for weight, _, _ in choices]
        _, name, move = self.rng.choices(choices, weights=weights)[0]
        TALLY.actions[name] += 1
        move()
        self.settle()
        self.check()
        TALLY.steps += 1

    def option(self, index: int) -> Any:
        return self.root.locator(".atelier-form .atelier-option").nth(index)

    def pick(self, index: int) -> None:
        option = self.option(index)
        self.log.append(f"pick {option.inner_text()!r}")
        option.locator("label").first.click()

    def insist(self, index: int) -> None:
        option = self.option(index)
        self.log.append(f"insist on greyed {option.inner_text()!r}")
        try:
            repairs = f"/products/{self.product}/repair"
            with self.page.expect_response(lambda r: r.url.endswith(repairs)) as asked:
                click_greyed(option.locator("label").first)
        except PlaywrightError as error:
            self.fail("greyed", f"clicking a greyed option asked nothing ({error.message.splitlines()[0]})")
        repair = asked.value.json()
        dialog = self.root.get_by_role("dialog", name="Change your choices?")
        expect(dialog).to_be_visible()
        self.check_words(dialog.inner_text(), "the repair dialog")
        others = dialog.locator(".atelier-alternative")
        confirm = dialog.get_by_role("button", name="Yes, switch")
        roll = self.rng.random()
        if confirm.is_visible() and roll < 0.5:
            self.log.append(f"  accept {repair.get('alternatives', [{}])[0].get('changes')}")
            confirm.click()
        elif others.count() and roll < 0.75:
            which = self.rng.randrange(others.count())
            self.log.append(f"  take alternative {which + 1}: {others.nth(which).inner_text()!r}")
            others.nth(which).click()
        else:
            self.log.append("  decline")
            dialog.get_by_role("button", name=re.compile("^(Cancel|OK)$")).click()
        expect(dialog).to_be_hidden()

    def type(self, box: dict[str, Any]) -> None:
        control = self.root.locator(f'[data-attribute="{box["attribute"]}"]').locator(
            "input[type=text], textarea, input[type=number]"
        )
        if box["type"] == "number":
            low, high = int(float(box["min"] or 0)), int(float(box["max"] or 100))
            step = max(1, int(float(box["step"] or 1)))
            text = str(self.rng.randrange(low, high + 1, step))
        elif self.rng.random() < 0.2:
            text = ""
        else:
            text = " ".join(self.rng.choices(WORDS, k=self.rng.choice([1, 1, 2, 3, 5])))
            self.typed.update(text.split())
        self.log.append(f"type {text!r} into {box['attribute']}")
        control.fill(text)

    def clear(self, name: str) -> None:
        self.log.append(name)
        self.root.get_by_role("button", name=name, exact=True).click()

    def tool(self, name: str) -> None:
        self.log.append(name)
        self.root.locator(".atelier-toolbar").get_by_role("button", name=name, exact=True).click()

    def view(self, name: str) -> None:
        self.log.append(f"view {name}")
        self.root.locator(".atelier-visual .atelier-views").get_by_role(
            "button", name=name, exact=True
        ).click()

    def settle(self) -> None:
        """Wait until the page shows the answer to its latest change, and its picture has arrived."""
        expect(price_box(self.root)).not_to_have_attribute("aria-busy", re.compile(".*"))
        self.page.wait_for_function(PICTURE_SETTLED, arg=self.root.element_handle())

    # --- what the page must show ----------------------------------------------------------------------

    def fail(self, promise: str, detail: str) -> NoReturn:
        steps = "\n  ".join(self.log)
        raise Break(f"{promise} on {self.product} (seed {SEED}): {detail}\n  after:\n  {steps}")

    def check_words(self, text: str, where: str) -> None:
        ours = text
        for word in sorted(self.typed, key=len, reverse=True):
            ours = ours.replace(word, "")
        pattern = engineer_pattern(ours)
        if pattern:
            self.fail("engineer wording", f"{where} reads {text!r} (matches {pattern!r})")

    def check(self) -> None:
        if self.refused:
            self.fail("refused", "; ".join(self.refused))
        if not self.asked:
            return
        response = self.asked[-1].response()
        if response is None:
            self.fail("unanswered", "the latest configure request has no answer")
        answer: dict[str, Any] = response.json()
        TALLY.answers += 1
        shown = self.root.evaluate(READ_PAGE)
        design = answer.get("design") or {}
        domains = {domain["key"]: domain for domain in answer["domains"]}
        for attribute in self.spec["attributes"]:
            self.check_field(attribute, domains[attribute["key"]], design, shown["fields"][attribute["key"]])
        self.check_summary(design, domains, dict(shown["summary"]))
        if digits(shown["amount"]) != digits(answer["price"]["total"]):
            self.fail("price", f"the page says {shown['amount']!r}, the answer {answer['price']['total']}")
        self.pictured = self.pictured or bool((answer.get("preview") or {}).get("url"))
        if self.pictured and not shown["picture"]:
            self.fail("preview", "the picture disappeared")
        text = self.root.inner_text()
        if not answer["valid"]:
            TALLY.invalid += 1
            reasons = [v["message"] for v in answer["violations"]]
            reasons += [answer["conflict"]["message"]] if answer.get("conflict") else []
            if not reasons:
                self.fail("stranded", "an invalid design with no reason")
            for reason in reasons:
                if reason not in text:
                    self.fail("stranded", f"the reason {reason!r} is not shown")
        self.check_words(text, "the page")

    def check_field(
        self, attribute: dict[str, Any], domain: dict[str, Any], design: dict[str, Any], seen: dict[str, Any]
    ) -> None:
        key, kind = attribute["key"], attribute["kind"]
        if seen["shown"] != domain["applies"]:
            self.fail("applies", f"{key} shown={seen['shown']} but applies={domain['applies']}")
        if not domain["applies"]:
            return
        # An image box has no suggestion to mark: the shopper's upload, or nothing.
        if kind != "image" and seen["source"] != domain["source"]:
            self.fail("source", f"{key} is marked {seen['source']}, the answer says {domain['source']}")
        value = design.get(key, domain.get("value"))
        if kind == "multi":
            ticked = {option for option, checked in seen["boxes"] if checked}
            if ticked != {str(v) for v in value or []}:
                self.fail("shown is priced", f"{key} ticks {sorted(ticked)}, the design has {value}")
        elif kind == "boolean":
            ticked = any(checked for _, checked in seen["boxes"])
            if ticked != bool(value):
                self.fail("shown is priced", f"{key} box ticked={ticked}, the design has {value}")
        elif kind in ("text", "number") and seen["typed"] is not None:
            # What the shopper is typing is theirs: the page never rewrites a focused box.
            if not seen["focused"] and seen["typed"] != ("" if value is None else str(value)):
                self.fail("shown is priced", f"{key} box holds {seen['typed']!r}, the design has {value!r}")
        elif kind != "image":
            checked = [radio["value"] for radio in seen["radios"]]
            if checked != ([] if value is None else [str(value)]):
                self.fail("shown is priced", f"{key} shows {checked}, the design has {value!r}")
            if design and any(radio["greyed"] for radio in seen["radios"]):
                self.fail("shown is priced", f"{key}'s chosen option {checked} is greyed")

    def check_summary(self, design: dict[str, Any], domains: dict[str, Any], summary: dict[str, str]) -> None:
        for attribute in self.spec["attributes"]:
            value = design.get(attribute["key"])
            if attribute["kind"] not in ("choice", "colour") or value is None:
                continue
            if not domains[attribute["key"]]["applies"]:
                continue
            label = next(o["label"] for o in attribute["options"] if o["key"] == value)
            if not summary.get(attribute["label"], "").startswith(label):
                self.fail(
                    "summary",
                    f"{attribute['label']} reads {summary.get(attribute['label'])!r}, not {label!r}",
                )


@pytest.fixture(scope="module")
def partner_page(shop: Server, shop_app: Flask) -> Iterator[str]:
    """A partner's page on its own origin showing the widget of the product named by `?product=`."""
    from configurator.partners import services as partners

    key: dict[str, str] = {}

    def page(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        product = parse_qs(environ.get("QUERY_STRING", "")).get("product", ["engraved-mug"])[0]
        html = HOST_PAGE.format(key=key["value"], shop=shop.url)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.replace('product="engraved-mug"', f'product="{product}"').encode()]

    site = serve(page)
    with shop_app.app_context():
        key["value"] = partners.add("walking-gifts", [site.url]).publishable_key
    yield site.url
    site.stop()


@pytest.fixture(params=["shop", "widget"])
def surface(request: pytest.FixtureRequest, shop: Server) -> Callable[[Page, str], None]:
    """Opens a product where the shopper configures it: the shop's product page, or a partner's widget."""
    if request.param == "shop":
        return lambda page, product: open_product(page, shop, product)
    partner = request.getfixturevalue("partner_page")

    def open_widget(page: Page, product: str) -> None:
        page.goto(f"{partner}/?product={product}")
        expect(price_box(page.locator("atelier-configurator"))).to_contain_text("Total")

    return open_widget


def test_random_shoppers_see_what_they_buy(
    shopper: Page, shop: Server, surface: Callable[[Page, str], None]
) -> None:
    page = shopper
    listing = page.request.get(f"{shop.url}/api/v1/products").json()["products"]
    products = sorted(product["key"] for product in listing)
    viewport = page.viewport_size or {"width": 0}
    rng = random.Random(f"{SEED}-{viewport['width']}")
    per_product = max(2, STEPS // len(products))
    for product in products:
        spec = page.request.get(f"{shop.url}/api/v1/products/{product}").json()
        surface(page, product)
        walk = Walk(page, shop, product, spec, rng)
        TALLY.walks += 1
        walk.check()
        for _ in range(per_product):
            walk.step()
        walk.stop()
