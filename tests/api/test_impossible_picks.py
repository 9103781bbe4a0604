"""Picks no design can have, as configure and repair answer them: a bad value is refused with 422 as
before; a text longer than any design holds is a clash of its own, said in the shopper's words, and a
repair shortens it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "catalog"
TOO_LONG = "Bartholomew and Maximilian"  # 26 characters; the demo bottle's label takes 12


@pytest.fixture
def demo(test_config: dict[str, Any]) -> Iterator[FlaskClient]:
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(DEMO_CATALOG)})
    with app.app_context():
        yield app.test_client()


def post(client: FlaskClient, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post(f"/api/v1/products/name-bottle/{path}", json=body)
    assert response.status_code == status, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


@pytest.mark.parametrize(("attribute", "value"), [("bottle", "magnum"), ("label_colour", 3)])
def test_a_value_the_attribute_never_takes_is_refused_as_before(
    demo: FlaskClient, attribute: str, value: object
) -> None:
    problem = post(demo, "configure", {"picks": {attribute: value}}, status=422)
    assert [e["field"] for e in problem["errors"]] == [f"picks.{attribute}"]


def test_a_text_longer_than_any_design_holds_is_a_clash_of_its_own(demo: FlaskClient) -> None:
    # Given a name far longer than the label holds, beside picks that hold
    answer = post(demo, "configure", {"picks": {"bottle": "glass_330", "name": TOO_LONG}})
    # Then it is named alone, in the shopper's words, and no design agrees with it
    assert answer["consistent"] is False
    assert answer["valid"] is False
    assert answer["conflict"]["picks"] == ["name"]
    assert "12 characters" in answer["conflict"]["message"]
    assert answer["remaining"] == "0"
    said = [v["message"] for v in answer["violations"]]
    assert len(said) == len(set(said)), said  # the engine and the text check say it once
    # and the other picks are answered as if it were not made: every bottle stays possible
    bottles = next(d for d in answer["domains"] if d["key"] == "bottle")["options"]
    assert all(option["available"] for option in bottles)
    assert answer["design"]["name"] == TOO_LONG  # kept as typed, never cut


def test_a_repair_shortens_a_text_no_design_holds(demo: FlaskClient) -> None:
    picks = {"bottle": "glass_330", "name": TOO_LONG}
    answer = post(demo, "repair", {"picks": picks, "attribute": "bottle", "value": "glass_250"})
    assert answer["possible"] is True
    for alternative in answer["alternatives"]:
        changed = {c["attribute"]: c["new"] for c in alternative["changes"]}
        needs = [n["attribute"] for n in alternative["needs_input"]]
        assert "name" in changed or needs == ["name"]
        if "name" in changed:
            follow = post(demo, "configure", {"picks": alternative["picks"]})
            assert follow["conflict"] is None
