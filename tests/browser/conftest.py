"""Browser tests: the app served on a real port (SQLite in tmp_path, the demo catalog), Debian's
Chromium driven by Playwright, one browser per session and a fresh context per test.

On pytest-xdist's workers (`make pytest`) each worker has a shop and a browser of its own, in its own
temporary folder on a port of its own; screenshots are named after what they show, each by one test
file, and a file runs on one worker, so no two workers write the same one."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import BaseWSGIServer, make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
# How long a step (a click, a navigation) or an `expect` waits for its state: a deadline, not a bound
# on speed. A step that succeeds returns at once; on a busy two-core machine a pick's request and the
# preview it redraws take seconds, past Playwright's own 5 s for `expect`.
STEP_WITHIN_MS = 60_000
expect.set_options(timeout=STEP_WITHIN_MS)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@dataclass
class Server:
    """A WSGI app served on 127.0.0.1 in a thread; `url` is its origin."""

    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def serve(app: Any) -> Server:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Server(server, thread)


@pytest.fixture(scope="session")
def shop_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The shop: the demo catalog on a SQLite file, offline payments, e-mails to the log."""
    from configurator import create_app

    folder = tmp_path_factory.mktemp("shop")
    return create_app(
        {
            "ATELIER_CATALOG": str(ROOT / "catalog"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/db.sqlite3",
            "SECRET_KEY": "browser-tests",
        }
    )


@pytest.fixture(scope="session")
def shop(shop_app: Flask) -> Iterator[Server]:
    running = serve(shop_app)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _waits_for_a_busy_machine(page: Page) -> None:
    """Every step and expectation waits up to STEP_WITHIN_MS for the state it looks for."""
    page.set_default_timeout(STEP_WITHIN_MS)


# A choice already made (declined): the banner asking for it would otherwise push every page down.
# Only on the shop's own top-level pages: frames and partner pages are left exactly as they are.
CHOSEN_ALREADY = """
if (window === window.top && window.location.origin === %s && !localStorage.getItem("atelier.privacy")) {
  localStorage.setItem("atelier.privacy", JSON.stringify({shopper: null, purposes: {preferences: false,
    recommendations: false}, wording_version: "browser-tests"}));
}
"""


@pytest.fixture
def privacy_unasked() -> None:
    """Ask for it in a test: the shopper has not made their privacy choice yet (the banner shows)."""


@pytest.fixture(autouse=True)
def _privacy_chosen(request: pytest.FixtureRequest, page: Page, shop: Server) -> None:
    if "privacy_unasked" not in request.fixturenames:
        page.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url.rstrip("/")))


@pytest.fixture(params=["desktop", "phone"])
def shopper(
    request: pytest.FixtureRequest, browser: Browser, browser_context_args: dict[str, Any], shop: Server
) -> Iterator[Page]:
    """A shopper's page, once on a desktop (1280×900) and once on a phone (390×844, touch)."""
    phone = request.param == "phone"
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(**{**browser_context_args, "viewport": viewport, "has_touch": phone})
    context.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url.rstrip("/")))
    page = context.new_page()
    page.set_default_timeout(STEP_WITHIN_MS)
    yield page
    context.close()


@pytest.fixture
def open_context(
    browser: Browser, browser_context_args: dict[str, Any], shop: Server
) -> Iterator[Callable[..., Page]]:
    """Another browser (its own storage: another shopper, or the merchant), privacy declined so far;
    `open_context({"width": 375, "height": 812})` opens a phone's."""
    contexts = []

    def make(viewport: dict[str, int] | None = None) -> Page:
        phone = viewport is not None and viewport["width"] < 600
        context = browser.new_context(
            **{
                **browser_context_args,
                "viewport": viewport or browser_context_args["viewport"],
                "has_touch": phone,
            }
        )
        context.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url.rstrip("/")))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(STEP_WITHIN_MS)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """Save a screenshot of the page as a test artifact (tests/browser/artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def base_url(shop: Server) -> str:
    """Replaces pytest-playwright's own fixture (which pytest 9 warns about): the shop's origin."""
    return shop.url
