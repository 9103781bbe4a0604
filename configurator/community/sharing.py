"""Share cards: what a chat or a social site shows when a gallery entry's or a design's link is pasted
(Open Graph and Twitter card tags: a title, a line of text, the design's picture)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from configurator.catalog.services import live_version
from configurator.community import gallery
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.errors import NotFound
from configurator.locale import request_locale
from configurator.previews import services as previews


@dataclass(frozen=True)
class ShareCard:
    title: str
    description: str
    image: str | None  # an absolute URL, or None when the product has no picture
    url: str  # the page's own absolute URL


def share_card(kind: str, public_id: str) -> ShareCard | None:
    """The card of a gallery entry (`kind` "entry") or a saved design ("design")."""
    if kind == "entry":
        return entry_card(public_id)
    if kind == "design":
        return design_card(public_id)
    return None


def entry_card(entry_id: str) -> ShareCard | None:
    """The card of a published entry; None for anything else (hidden entries share nothing)."""
    try:
        entry = gallery.find(entry_id)
    except NotFound:
        return None
    card = _design_card(entry.design, f"/gallery/{entry.public_id}")
    return ShareCard(f"{entry.title} · {entry.display_name}", card.description, card.image, card.url)


def design_card(design_id: str) -> ShareCard | None:
    try:
        design = designs.find(design_id)
    except NotFound:
        return None
    return _design_card(design, f"/designs/{design.public_id}")


def _design_card(design: Design, path: str) -> ShareCard:
    language = request_locale()
    public = str(current_app.config["ATELIER_PUBLIC_URL"]).rstrip("/")
    checked = designs.check(design.choices, live_version(design.product_key))
    if not checked.valid:
        checked = designs.check(design.choices, design.version)
    shown = (
        previews.links(checked.stored.id, checked.product, checked.design, language)
        if checked.valid
        else None
    )
    model = checked.product.model
    return ShareCard(
        title=model.label.get(language),
        description=model.description.get(language) if model.description else model.label.get(language),
        image=f"{public}{shown['url']}" if shown else None,
        url=f"{public}{path}",
    )
