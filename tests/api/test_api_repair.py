"""Repairing a configuration: the fewest earlier picks to change for a greyed-out option."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

REPAIR = "/api/v1/products/mug/repair"


def repair(client: FlaskClient, **body: Any) -> dict[str, Any]:
    response = client.post(REPAIR, json=body)
    assert response.status_code == 200, response.get_json()
    data: dict[str, Any] = response.get_json()
    return data


def test_a_conflicting_option_names_the_pick_to_change(client: FlaskClient) -> None:
    # Given enamel, gold is greyed out; when the shopper insists on gold
    answer = repair(client, picks={"material": "enamel"}, attribute="colour", value="gold")
    # then switching the material back to ceramic is the one change, with labels to show
    assert answer["possible"] is True
    assert answer["changes"] == [
        {
            "attribute": "material",
            "label": "Material",
            "old": "enamel",
            "new": "ceramic",
            "old_label": "Enamel",
            "new_label": "Ceramic",
        }
    ]
    assert answer["picks"] == {"material": "ceramic", "colour": "gold"}


def test_labels_follow_the_requested_language(client: FlaskClient) -> None:
    response = client.post(
        REPAIR,
        json={"picks": {"material": "enamel"}, "attribute": "colour", "value": "gold"},
        headers={"Accept-Language": "fr"},
    )
    change = response.get_json()["changes"][0]
    assert (change["label"], change["new_label"]) == ("Matière", "Céramique")


def test_an_available_option_needs_no_change(client: FlaskClient) -> None:
    answer = repair(client, picks={"material": "ceramic"}, attribute="colour", value="gold")
    assert {k: answer[k] for k in ("attribute", "value", "possible", "changes", "picks")} == {
        "attribute": "colour",
        "value": "gold",
        "possible": True,
        "changes": [],
        "picks": {"material": "ceramic", "colour": "gold"},
    }
    (only,) = answer["alternatives"]
    assert (only["changes"], only["needs_input"]) == ([], [])


def test_a_text_is_shortened_to_whole_words_that_fit(client: FlaskClient) -> None:
    # The script fits 8 characters: "For Sama" would cut a name; the longest whole-word fit is "For".
    answer = repair(client, picks={"engraving": "For Samantha"}, attribute="font", value="script")
    assert answer["changes"] == [
        {
            "attribute": "engraving",
            "label": "Engraving",
            "old": "For Samantha",
            "new": "For",
            "old_label": "For Samantha",
            "new_label": "For",
        }
    ]
    # the repaired picks are a valid design
    configured = client.post("/api/v1/products/mug/configure", json={"picks": answer["picks"]})
    assert configured.get_json()["valid"] is True


def test_an_unknown_value_is_refused_at_value(client: FlaskClient) -> None:
    response = client.post(REPAIR, json={"picks": {}, "attribute": "colour", "value": "plaid"})
    assert response.status_code == 422
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in problem["errors"]] == ["value"]


def test_an_unknown_attribute_is_refused(client: FlaskClient) -> None:
    response = client.post(REPAIR, json={"picks": {}, "attribute": "handle", "value": "x"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "unknown-attribute"


def test_an_unknown_product_is_not_found(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/products/teapot/repair", json={"picks": {}, "attribute": "x", "value": "y"}
    )
    assert response.status_code == 404
