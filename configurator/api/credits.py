"""The credit a design carries wherever it is shown (its page, a cart line, an order line): the
published designs of its remix history, from the gallery."""

from __future__ import annotations

from typing import Any

from configurator.community import gallery
from configurator.designs.models import Design


def design_credits(design: Design) -> list[dict[str, Any]]:
    return [
        {"display_name": c.display_name, "entry": c.entry, "design": c.design, "role": c.role}
        for c in gallery.credits(design)
    ]
