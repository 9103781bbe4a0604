"""Variants of the test catalog, written to a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

TEST_CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"


def without_gold(folder: Path) -> Path:
    """The test catalog with gold mugs withdrawn, in `folder / "catalog"`."""
    catalog = folder / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    mug = catalog / "mug.yaml"
    text = mug.read_text().replace("options: [white, ink, gold]", "options: [white, ink]")
    text = text.replace("    when: colour == gold\n", "    when: colour == ink\n")
    mug.write_text(text.replace("colour != gold", "colour != ink"))
    return catalog
