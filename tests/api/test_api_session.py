"""One configuration session, as the demo catalog's shoppers walk it: the design shown is the design
priced, defaults yield to picks, conditional attributes take their defaults, clashes stay narrow and
every way out offered is accepted by the next request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture
def demo(test_config: dict[str, Any]) -> Iterator[FlaskClient]:
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(DEMO_CATALOG)})
    with app.app_context():
        yield app.test_client()


def configure(client: FlaskClient, product: str, picks: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/products/{product}/configure", json={"picks": picks, **body})
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def repair(
    client: FlaskClient, product: str, picks: dict[str, Any], attribute: str, value: Any
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/products/{product}/repair", json={"picks": picks, "attribute": attribute, "value": value}
    )
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def domain(answer: dict[str, Any], key: str) -> dict[str, Any]:
    (found,) = [d for d in answer["domains"] if d["key"] == key]
    return found


def test_a_cleared_pick_is_accepted_as_null_or_absent(demo: FlaskClient) -> None:
    with_null = configure(demo, "name-bottle", {"cap": None, "bottle": "glass_330"})
    without = configure(demo, "name-bottle", {"bottle": "glass_330"})
    assert with_null["design"] == without["design"]
    assert domain(with_null, "cap")["source"] == "default"


def test_a_pick_on_an_attribute_that_stops_applying_is_set_aside(demo: FlaskClient) -> None:
    # Given a cap colour, the can is not greyed: picking it sets the cap aside (cans have no cap)
    answer = configure(demo, "name-bottle", {"cap": "ink"})
    (can,) = [o for o in domain(answer, "bottle")["options"] if o["key"] == "can_330"]
    assert can["available"] is True
    answer = configure(demo, "name-bottle", {"cap": "ink", "bottle": "can_330"})
    cap = domain(answer, "cap")
    assert (cap["source"], cap["value"], cap["applies"], answer["design"]["cap"]) == (
        "set_aside",
        None,
        False,
        None,
    )
    assert answer["valid"] is True
    # and the pick comes back with a bottle that has a cap
    answer = configure(demo, "name-bottle", {"cap": "ink", "bottle": "glass_330"})
    assert (domain(answer, "cap")["source"], answer["design"]["cap"]) == ("picked", "ink")


def test_deleting_the_engraving_sets_the_font_aside_instead_of_greying_everything(demo: FlaskClient) -> None:
    answer = configure(demo, "engraved-mug", {"engraving": "", "font": "script"})
    assert answer["valid"] is True
    assert answer["conflict"] is None
    assert domain(answer, "font")["source"] == "set_aside"
    greyed = [(d["key"], o["key"]) for d in answer["domains"] for o in d["options"] if not o["available"]]
    assert ("colour", "snow") not in greyed
    assert ("size", "large") not in greyed
    assert answer["preview"] is not None


def test_the_design_shown_is_the_design_priced(demo: FlaskClient) -> None:
    # Large cakes need a second tier: the tiers shown is the one charged, and says it was adjusted
    answer = configure(demo, "celebration-cake", {"size": "large"})
    tiers = domain(answer, "tiers")
    assert (tiers["value"], tiers["source"]) == (answer["design"]["tiers"], "adjusted")
    assert tiers["value"] >= 2
    (shown,) = [o for o in tiers["options"] if o["key"] == tiers["value"]]
    assert shown["available"] is True
    # every value shown is available, for every attribute that applies
    for entry in answer["domains"]:
        if entry["applies"] and entry["options"] and not isinstance(entry["value"], list):
            (option,) = [o for o in entry["options"] if o["key"] == entry["value"]]
            assert option["available"], entry["key"]


def test_defaults_are_reported_for_conditional_attributes(demo: FlaskClient) -> None:
    spec = demo.get("/api/v1/products/engraved-mug").get_json()
    (font,) = [a for a in spec["attributes"] if a["key"] == "font"]
    assert font["default"] == "serif"
    # and the font appears with its default once there is an engraving
    answer = configure(demo, "engraved-mug", {"engraving": "Sam"})
    assert (answer["design"]["font"], domain(answer, "font")["source"]) == ("serif", "default")


def test_clashing_picks_grey_only_what_is_involved(demo: FlaskClient) -> None:
    answer = configure(demo, "engraved-mug", {"engraving": "Happy birthday Charlotte", "font": "script"})
    assert answer["valid"] is False
    assert answer["conflict"]["picks"] == ["engraving", "font"]
    assert "12 characters" in answer["conflict"]["message"]
    assert [d["key"] for d in answer["domains"] if d["conflict"]] == ["engraving", "font"]
    colours = domain(answer, "colour")["options"]
    assert all(o["available"] for o in colours)
    fonts = {o["key"]: o["available"] for o in domain(answer, "font")["options"]}
    assert fonts == {"serif": True, "sans": True, "script": False}


def test_repairs_offer_alternatives_without_cutting_words(demo: FlaskClient) -> None:
    picks = {"engraving": "Happy birthday Charlotte", "font": "serif"}
    answer = repair(demo, "engraved-mug", picks, "font", "script")
    assert answer["possible"] is True
    texts = [c["new"] for a in answer["alternatives"] for c in a["changes"] if c["attribute"] == "engraving"]
    assert texts == ["Happy"]  # the longest whole-word fit of 12 characters, never "Happy birthd"
    for alternative in answer["alternatives"]:
        assert None not in alternative["picks"].values()
        assert "price_change" in alternative
        assert "total" in alternative
        follow = configure(demo, "engraved-mug", alternative["picks"])
        assert follow["valid"] is True


def test_a_name_too_long_for_any_fit_asks_the_shopper_to_edit(demo: FlaskClient) -> None:
    picks = {"engraving": "Bartholomew-Maximilian", "font": "serif"}
    answer = repair(demo, "engraved-mug", picks, "font", "script")
    (alternative,) = answer["alternatives"]
    (needed,) = alternative["needs_input"]
    assert needed["attribute"] == "engraving"
    assert needed["max_length"] == 12
    assert "12" in needed["message"]
    assert alternative["picks"]["engraving"] == "Bartholomew-Maximilian"  # never cut


def test_the_catalog_says_from_the_cheapest_design_that_can_be_bought(demo: FlaskClient) -> None:
    listed = {p["key"]: p for p in demo.get("/api/v1/products").get_json()["products"]}
    curtain = listed["made-to-measure-curtain"]
    assert curtain["base_price"]["EUR"] == "25.00"
    assert curtain["from_price"]["EUR"] == "36.94"
    # and that price is one a shopper can configure and pay
    cheapest = configure(demo, "made-to-measure-curtain", {"width": 60, "drop": 100, "fabric": "sheer"})
    assert cheapest["valid"] is True
    assert cheapest["price"]["total"] == curtain["from_price"]["EUR"]


def test_a_repair_that_needs_a_text_asks_for_it_instead_of_changing_nothing(demo: FlaskClient) -> None:
    # Gold piping needs a message to pipe: the shopper is asked to write one, nothing is made up.
    answer = repair(demo, "celebration-cake", {"message": ""}, "piping", "gold")
    assert answer["possible"] is True
    (alternative,) = answer["alternatives"]
    (needed,) = alternative["needs_input"]
    assert needed["attribute"] == "message"
    assert needed["min_length"] == 1
    assert all(c["attribute"] != "message" for c in alternative["changes"])
    follow = configure(demo, "celebration-cake", alternative["picks"])
    assert follow["design"]["piping"] is None  # set aside until there is a message
    follow = configure(demo, "celebration-cake", {**alternative["picks"], "message": "Bravo"})
    assert (follow["design"]["piping"], follow["valid"]) == ("gold", True)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Choose “Finished width” from 60 to 400 cm, in steps of 10 cm."),
        ("fr", "Choisissez « Largeur finie » de 60 à 400 cm, par pas de 10 cm."),
    ],
)
def test_a_value_the_product_does_not_take_is_refused_in_the_shoppers_words(
    demo: FlaskClient, language: str, expected: str
) -> None:
    response = demo.post(
        "/api/v1/products/made-to-measure-curtain/configure",
        json={"picks": {"width": 65}},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["field"] == "picks.width"  # where, for integrators
    assert error["detail"] == expected


def test_a_saved_design_is_the_design_configured_and_reads_back_valid(demo: FlaskClient) -> None:
    # A can keeps the shopper's ink cap aside: the saved design has no cap, and reads back valid
    picks = {"bottle": "can_330", "cap": "ink", "name": "Zoë"}
    answer = configure(demo, "name-bottle", picks)
    saved = demo.post("/api/v1/designs", json={"product": "name-bottle", "picks": picks})
    assert saved.status_code == 201, saved.get_json()
    design = saved.get_json()
    assert design["choices"] == answer["design"]
    assert design["choices"]["cap"] is None
    assert (design["live"]["valid"], design["live"]["violations"]) == (True, [])
    assert design["price"]["total"] == answer["price"]["total"]
