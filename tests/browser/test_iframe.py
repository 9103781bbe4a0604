"""The iframe mode: the shop's embed page framed by a partner page on another origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, serve
from tests.browser.steps import price_box
from tests.browser.test_widget import host_app

FRAMING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Corner Shop</title></head>
<body>
<h1>Corner Shop</h1>
<script>
  window.atelierMessages = [];
  window.addEventListener("message", (event) => {{
    if (event.origin === "{shop}") window.atelierMessages.push(event.data);
  }});
</script>
<iframe title="Configure the mug" src="{shop}/embed/engraved-mug?key={key}" width="900" height="900"></iframe>
</body></html>
"""


@pytest.fixture(scope="module")
def framing_site(shop: Server, shop_app: Flask) -> Iterator[tuple[Server, str]]:
    from configurator.partners import services as partners

    key: dict[str, str] = {}
    site = serve(host_app(lambda: FRAMING_PAGE.format(key=key["value"], shop=shop.url)))
    with shop_app.app_context():
        key["value"] = partners.add("corner-shop", [site.url]).publishable_key
    yield site, key["value"]
    site.stop()


def messages(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate("window.atelierMessages")
    return found


def test_the_embed_page_works_in_a_partner_frame_and_talks_to_it(
    page: Page, framing_site: tuple[Server, str]
) -> None:
    site, _ = framing_site
    page.goto(f"{site.url}/")
    frame = page.frame_locator("iframe")
    widget = frame.locator("atelier-configurator")
    expect(widget.get_by_role("heading", name="Engraved mug")).to_be_visible()
    expect(price_box(widget)).to_contain_text("Total €14.00")
    page.wait_for_function("window.atelierMessages.some(m => m.type === 'atelier:ready')")
    # A pick in the frame reaches the partner page as a message from the shop's exact origin
    widget.get_by_role("radio", name="Sage green").click()
    page.wait_for_function(
        "window.atelierMessages.some(m => m.type === 'atelier:change' && m.detail.design.picks.colour)"
    )
    change = [m for m in messages(page) if m["type"] == "atelier:change"][-1]
    assert change["source"] == "atelier"
    assert change["detail"]["design"]["picks"] == {"colour": "sage"}
    assert change["detail"]["price"]["currency"] == "EUR"


def test_the_embed_page_refuses_to_be_framed_elsewhere(
    page: Page, shop: Server, framing_site: tuple[Server, str]
) -> None:
    _, key = framing_site
    response = page.request.get(f"{shop.url}/embed/engraved-mug?key={key}")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors" in policy
    site_origin = framing_site[0].url
    assert f"frame-ancestors {site_origin}" in policy
    # The same page framed from localhost (not a listed origin): Chromium refuses to show it
    other = serve(host_app(lambda: FRAMING_PAGE.format(key=key, shop=shop.url)))
    try:
        page.goto(f"http://localhost:{other.server.server_port}/")
        page.wait_for_timeout(1500)
        assert messages(page) == []
        assert page.frames[1].url in ("about:blank", "chrome-error://chromewebdata/") or (
            page.frames[1].locator("atelier-configurator").count() == 0
        )
    finally:
        other.stop()


# Installed in every frame before its own scripts: the page's policy violations, as the browser reports them.
RECORD_VIOLATIONS = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyViolations.push(`${event.effectiveDirective} ${event.blockedURI || "inline"}`);
}, true);
"""


def test_the_embed_page_shows_everything_under_its_strict_policy(
    page: Page, shop: Server, framing_site: tuple[Server, str]
) -> None:
    site, _ = framing_site
    page.add_init_script(RECORD_VIOLATIONS)
    previews: list[str] = []
    page.on("request", lambda request: previews.append(request.url) if "/previews/" in request.url else None)
    page.goto(f"{site.url}/")
    frame = page.frame_locator("iframe")
    widget = frame.locator("atelier-configurator")
    expect(widget.get_by_role("heading", name="Engraved mug")).to_be_visible()
    # The widget's own styles apply (:host from the stylesheet, not an inline <style>)
    assert widget.evaluate("w => getComputedStyle(w).display") == "block"
    # A pick draws a new preview, and the image shows
    image = widget.locator("img.atelier-preview-image")
    first = image.get_attribute("src")
    widget.get_by_role("radio", name="Sage green").click()
    expect(image).not_to_have_attribute("src", first or "")
    expect(image).to_be_visible()
    image.evaluate("img => img.decode()")
    assert image.evaluate("img => img.naturalWidth") > 0
    # And the page's policy (style-src 'self', no inline styles) was never broken
    embed = next(f for f in page.frames if f.url.startswith(f"{shop.url}/embed/"))
    assert embed.evaluate("window.policyViolations") == []
    # And the preview URLs it asked for are the configure answer's as given: design and size, nothing added
    assert len(previews) >= 2
    assert all(sorted(parse_qs(urlsplit(url).query)) == ["design", "size"] for url in previews), previews
