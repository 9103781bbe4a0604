"""Options withdrawn from a published product: one more rule each, read by the engine as any rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import Catalog, Product, load_catalog
from rules.availability import (
    ORIGIN,
    UnknownOptionError,
    Withdrawn,
    check_option,
    constraint_id,
    withdraw,
    withdrawable,
)
from rules.model import Localized

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
BERRIES = Withdrawn(
    "toppings", "berries", Localized({"en": "No berries until June.", "fr": "Pas de fruits."})
)
GOLD = Withdrawn("colour", "gold", Localized.plain("Gold is sold out."))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG)


def test_nothing_withdrawn_is_the_published_product_itself(catalog: Catalog) -> None:
    model = catalog.products["engraved-mug"].model

    assert withdraw(model, []) is model


def test_a_withdrawn_choice_is_greyed_out_with_its_message_and_never_completed(catalog: Catalog) -> None:
    mug = Product(withdraw(catalog.products["engraved-mug"].model, [GOLD]))

    colour = mug.domains({}).attributes["colour"]
    gold = next(option for option in colour.options if option.key == "gold")
    others = [option.key for option in colour.options if option.key != "gold" and not option.available]

    assert gold.available is False
    assert gold.reason is not None
    assert [(rule.id, rule.origin, rule.message.get("en")) for rule in gold.reason.rules] == [
        (constraint_id("colour", "gold"), ORIGIN, "Gold is sold out.")
    ]
    assert others == []
    assert mug.complete({"material": "enamel"})["colour"] != "gold"


def test_a_withdrawn_box_of_a_multi_is_refused_and_the_others_stay(catalog: Catalog) -> None:
    cake = catalog.products["celebration-cake"]
    without = Product(withdraw(cake.model, [BERRIES]))
    design = {**cake.defaults(), "toppings": frozenset({"berries"})}
    other = {**cake.defaults(), "toppings": frozenset({"sprinkles"})}

    assert [v.message.get("fr") for v in without.validate(design)] == ["Pas de fruits."]
    assert without.validate(other) == cake.validate(other)
    assert cake.validate(design) == []


def test_each_state_of_availability_compiles_apart(catalog: Catalog) -> None:
    model = catalog.products["engraved-mug"].model
    other_words = Withdrawn("colour", "gold", Localized.plain("Gold is back in May."))

    hashes = {
        withdraw(model, []).source_hash,
        withdraw(model, [GOLD]).source_hash,
        withdraw(model, [other_words]).source_hash,
    }

    assert len(hashes) == 3
    assert withdraw(model, [GOLD, GOLD]).constraints == withdraw(model, [GOLD]).constraints


@pytest.mark.parametrize(
    ("attribute", "option", "what"),
    [("glaze", "gold", "attribute"), ("engraving", "x", "attribute"), ("colour", "purple", "option")],
)
def test_an_option_the_product_lacks_is_named_as_such(
    catalog: Catalog, attribute: str, option: str, what: str
) -> None:
    model = catalog.products["engraved-mug"].model

    with pytest.raises(UnknownOptionError) as raised:
        check_option(model, attribute, option)

    assert raised.value.what == what
    assert withdrawable(model, Withdrawn(attribute, option, Localized.plain("-"))) is False
