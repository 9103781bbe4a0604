"""Completing a shopper's partial picks into a whole design, on the demo mug."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import Product, load_catalog

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture(scope="module")
def mug() -> Product:
    return load_catalog(CATALOG).products["engraved-mug"]


def test_completion_keeps_defaults_that_fit(mug: Product) -> None:
    design = mug.complete({"material": "enamel"})
    assert design["material"] == "enamel"
    assert design["colour"] == mug.defaults()["colour"]
    assert mug.validate(design) == []


def test_completion_changes_a_default_that_clashes_with_a_pick(mug: Product) -> None:
    # given: the default size (standard) is fine, but a gold enamel mug is impossible
    design = mug.complete({"colour": "gold"})
    # then: the picked colour stays and a default is changed so the design is valid
    assert design["colour"] == "gold"
    assert design["material"] != "enamel"
    assert mug.validate(design) == []


def test_an_engraving_brings_in_the_default_font(mug: Product) -> None:
    design = mug.complete({"engraving": "Hello"})
    assert design["font"] == "serif"
    assert mug.validate(design) == []


def test_clashing_picks_still_settle_conditions(mug: Product) -> None:
    # given: enamel does not come in espresso size, and an engraving makes the font apply
    design = mug.complete({"material": "enamel", "size": "espresso", "engraving": "For Sam"})
    # then: only the clash between the picks is reported, not a missing font
    assert design["font"] == "serif"
    kinds = [v.kind for v in mug.validate(design)]
    assert kinds == ["rule"]


def test_an_attribute_that_does_not_apply_says_so_in_the_merchants_words(mug: Product) -> None:
    # given: a font chosen without an engraving
    design = {**mug.defaults(), "engraving": "", "font": "script"}
    # then: the violation carries the product's `when_message`, in every locale it gives
    [violation] = [v for v in mug.validate(design) if v.attributes == ("font",)]
    assert violation.message.get("en") == "A font is only chosen once there is something to engrave."
    assert violation.message.get("fr").startswith("La police ne se choisit")
