"""A shopper puts their own photo on the cake: upload, price, print warning, placement, removal."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.steps import price_box


def euros(text: str) -> float:
    return float(text.replace("€", "").replace(",", ""))


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# The design the preview draws (base64url JSON in its `design` parameter), read in the page.
PREVIEW_DESIGN = """() => {
    const src = document.querySelector("img.atelier-preview-image")?.getAttribute("src") || "";
    const found = /design=([A-Za-z0-9_-]+)/.exec(src);
    return found ? JSON.parse(atob(found[1].replace(/-/g, "+").replace(/_/g, "/"))) : null;
}"""


def preview_shows(page: Page, condition: str) -> None:
    """Wait until the preview's design satisfies `condition` (a JS expression over `design`)."""
    check = f"() => {{ const design = ({PREVIEW_DESIGN})(); return !!design && ({condition}); }}"
    page.wait_for_function(check)


def test_a_photo_is_uploaded_priced_placed_and_removed(page: Page, shop: Server) -> None:
    page.goto(f"{shop.url}/products/celebration-cake")
    expect(page.get_by_role("heading", level=1, name="Celebration cake")).to_be_visible()
    summary = price_box(page)
    total = summary.locator("strong").first
    expect(total).to_contain_text("€")
    total_before = total.inner_text()
    photo = page.get_by_label("Photo on the top")
    preview = page.get_by_role("img", name="Preview of your Celebration cake")
    expect(preview).to_be_visible()

    # When the shopper chooses a small photo
    photo.set_input_files({"name": "party.jpg", "mimeType": "image/jpeg", "buffer": jpeg(400, 300)})
    # Then it is uploaded, priced, and the shop warns that it will print blurry, without refusing it
    expect(page.get_by_role("status").filter(has_text="party.jpg: 400×300 px")).to_be_visible()
    expect(page.get_by_text(re.compile(r"This photo is 400×300 px.*It will look blurry"))).to_be_visible()
    expect(summary).to_contain_text("Photo on the top+€6.00")
    expect(total).to_have_text(f"€{euros(total_before) + 6:.2f}")
    preview_shows(page, "typeof design.photo === 'string' && design.photo.length > 0")

    # When they move the photo to the left, the preview draws the new placement
    left = page.get_by_label("Move the image left or right")
    left.fill("10")
    expect(left).to_have_attribute("aria-valuetext", "10% from the left")
    preview_shows(page, "design.photo.endsWith('@10,50')")

    # When they remove it, the price and the warning go with it
    page.get_by_role("button", name="Remove the image").click()
    expect(page.get_by_text(re.compile("It will look blurry"))).to_be_hidden()
    expect(total).to_have_text(total_before)
    expect(summary).not_to_contain_text("Photo on the top")
    expect(photo).to_be_focused()
    preview_shows(page, "!design.photo")


def test_a_file_that_is_not_an_image_is_refused_with_a_reason(page: Page, shop: Server) -> None:
    page.goto(f"{shop.url}/products/celebration-cake")
    photo = page.get_by_label("Photo on the top")
    photo.set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"not an image at all"})
    error = page.locator("[data-attribute=photo]").get_by_text("This file is not an image we can read")
    expect(error).to_be_visible()
    expect(photo).to_have_accessible_description(re.compile("not an image we can read"))
    expect(page.get_by_role("button", name="Remove the image")).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="notes.png:")).to_have_count(0)
