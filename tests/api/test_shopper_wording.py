"""What shoppers read when a request is refused is written for them, in their language; what
integrators need (field paths, validator messages, code points) is in fields of its own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from configurator.wording import classify, field_label, shopper_sentence

ADDRESS = {"country": "FR", "postal_code": "75001", "city": "Paris", "line1": "1 rue de Rivoli"}
CONTACT = {"email": "ann@example.org", "name": "Ann", "address": ADDRESS}
CONFIGURE = "/api/v1/products/mug/configure"


def ask(client: FlaskClient, method: str, url: str, body: Any = None, language: str = "en") -> TestResponse:
    headers = {"Accept-Language": language}
    if isinstance(body, str):
        return client.open(url, method=method, data=body, content_type="application/json", headers=headers)
    if body is None:
        return client.open(url, method=method, headers=headers)
    return client.open(url, method=method, json=body, headers=headers)


def new_cart(client: FlaskClient) -> str:
    token: str = client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]
    return token


def shopper_texts(answer: dict[str, Any]) -> list[str]:
    """Every text of an answer that a shop may show to a shopper."""
    texts = [answer.get("title"), answer.get("detail")]
    texts += [error.get("detail") for error in answer.get("errors", [])]
    texts += [problem.get("detail") for problem in answer.get("problems", [])]
    texts += [violation.get("message") for violation in answer.get("violations", [])]
    return [text for text in texts if isinstance(text, str)]


# --- one test per source of messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Postcode is too long: at most 20 characters."),
        ("fr", "Le champ « Code postal » est trop long : 20 caractères au maximum."),
    ],
)
def test_a_too_long_postcode_is_named_for_the_shopper_and_pathed_for_the_integrator(
    client: FlaskClient, language: str, said: str
) -> None:
    # Given a cart, and a postcode longer than the 20 characters an address takes
    cart = new_cart(client)
    contact = {**CONTACT, "address": {**ADDRESS, "postal_code": "7" * 25}}

    # When the shopper sends it
    response = ask(client, "PUT", f"/api/v1/carts/{cart}/contact", contact, language)

    # Then the shopper reads the field's name, in their language, without a path or a library message
    assert response.status_code == 422
    assert response.headers["Content-Language"] == language
    problem = response.get_json()
    (error,) = problem["errors"]
    assert error["detail"] == said
    assert problem["detail"] == said
    for text in shopper_texts(problem):
        assert "postal_code" not in text
        assert "Length must" not in text
        assert "Not valid" not in text
    # And the integrator finds the path and the validator's own words
    assert error["field"] == "address.postal_code"
    assert error["pointer"] == "/address/postal_code"
    assert error["code"] == "too-long"
    assert error["technical_detail"] == "Length must be between 1 and 20."


@pytest.mark.parametrize(
    ("change", "pointer", "en", "fr"),
    [
        ({"email": "ann"}, "/email", "Enter an e-mail address such as name@example.com.",
         "Saisissez une adresse e-mail de la forme nom@exemple.fr."),
        ({"email": None}, "/email", "E-mail address is required.",
         "Le champ « Adresse e-mail » est obligatoire."),
        ({"name": ""}, "/name", "Name cannot be empty.", "Le champ « Nom » ne peut pas être vide."),
        ({"address": {**ADDRESS, "country": "France"}}, "/address/country",
         "Country must be a two-letter country code, not “France”. Did you mean FR (France)?",
         "Le champ « Pays » doit être un code de pays à deux lettres, et non « France ». "
         "Vouliez-vous dire FR (France) ?"),
        ({"address": {**ADDRESS, "city": None}}, "/address/city", "Town or city is required.",
         "Le champ « Ville » est obligatoire."),
        ({"address": "Paris"}, "/address", "Address is not in a form we can read.",
         "Le champ « Adresse » n'a pas une forme que nous savons lire."),
    ],
)  # fmt: skip
def test_contact_validation_speaks_to_shoppers_in_both_languages(
    client: FlaskClient, change: dict[str, Any], pointer: str, en: str, fr: str
) -> None:
    cart = new_cart(client)
    for language, said in (("en", en), ("fr", fr)):
        response = ask(client, "PUT", f"/api/v1/carts/{cart}/contact", {**CONTACT, **change}, language)
        assert response.status_code == 422
        (error,) = response.get_json()["errors"]
        assert (error["pointer"], error["detail"]) == (pointer, said)
        assert error["technical_detail"]  # marshmallow's words, for integrators


@pytest.mark.parametrize(
    ("country", "language", "said", "technical"),
    [
        ("UK", "en", "Country must be a two-letter country code, not “UK”. Did you mean GB (United Kingdom)?",
         "Not an ISO 3166-1 alpha-2 country code: 'UK'; did you mean GB?"),
        ("UK", "fr", "Le champ « Pays » doit être un code de pays à deux lettres, et non « UK ». "
         "Vouliez-vous dire GB (Royaume-Uni) ?", None),
        ("gb", "en", "Country must be a two-letter country code, not “gb”. Did you mean GB (United Kingdom)?",
         None),
        ("ZZ", "en", "Country must be a two-letter country code such as FR (France), not “ZZ”.",
         "Not an ISO 3166-1 alpha-2 country code: 'ZZ'"),
        ("ZZ", "fr", "Le champ « Pays » doit être un code de pays à deux lettres, comme FR (France), "
         "et non « ZZ ».", None),
    ],
)  # fmt: skip
def test_an_address_in_a_country_that_is_no_iso_code_is_refused_with_the_one_meant(
    client: FlaskClient, country: str, language: str, said: str, technical: str | None
) -> None:
    # Given a cart, and an address in "UK": no ISO 3166-1 code, so it would ship as the rest of the
    # world, without the United Kingdom's rates
    cart = new_cart(client)
    contact = {**CONTACT, "address": {**ADDRESS, "country": country}}

    # When it is sent
    response = ask(client, "PUT", f"/api/v1/carts/{cart}/contact", contact, language)

    # Then it is refused: the shopper reads the field's name and the country meant, in their language;
    # the integrator the path and the validator's words
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["detail"] == said
    assert (error["pointer"], error["code"]) == ("/address/country", "country")
    if technical is not None:
        assert error["technical_detail"] == technical
    # And the cart keeps no address
    assert client.get(f"/api/v1/carts/{cart}").get_json()["contact"]["address"] is None


def test_a_country_refusal_is_written_in_every_language_of_the_catalogs() -> None:
    # The test shop speaks English and French; the sentence itself is written in German too.
    problem = classify("Not an ISO 3166-1 alpha-2 country code: 'UK'; did you mean GB?", "UK")
    said = shopper_sentence(problem, field_label(["address", "country"]))
    assert said.get("de") == (
        "Das Feld „Land“ muss ein zweistelliger Ländercode sein, nicht „UK“. "
        "Meinten Sie GB (Vereinigtes Königreich)?"
    )


def test_a_quantity_out_of_range_says_the_range_and_not_the_validator(client: FlaskClient) -> None:
    cart = new_cart(client)
    design = client.post("/api/v1/designs", json={"product": "mug"}).get_json()["id"]
    response = ask(client, "POST", f"/api/v1/carts/{cart}/lines", {"design": design, "quantity": 0}, "fr")
    (error,) = response.get_json()["errors"]
    assert error["detail"].startswith("Le champ « Quantité » doit être compris entre 1 et ")
    assert error["technical_detail"].startswith("Must be greater than or equal to 1")


@pytest.mark.parametrize(("language", "said"), [("en", "Engraving"), ("fr", "Gravure")])
def test_a_pick_the_api_cannot_read_is_named_by_its_attribute(
    client: FlaskClient, language: str, said: str
) -> None:
    # Given an engraving sent as a list of numbers: the "Not valid: picks.engraving." of old
    response = ask(client, "POST", CONFIGURE, {"picks": {"engraving": [1, 2]}}, language)

    # Then the shopper reads the attribute's label; the integrator the path
    problem = response.get_json()
    (error,) = problem["errors"]
    assert said in error["detail"]
    assert said in problem["detail"]
    assert "picks" not in problem["detail"]
    assert (error["field"], error["pointer"]) == ("picks.engraving", "/picks/engraving")


def test_an_empty_cart_at_checkout_is_said_in_french_to_a_french_shopper(client: FlaskClient) -> None:
    cart = new_cart(client)
    response = ask(client, "POST", f"/api/v1/carts/{cart}/checkout", {}, "fr")
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["title"] == "Le panier ne peut pas encore être commandé"
    assert problem["detail"] == (
        "Votre panier est vide. Indiquez d'abord une adresse e-mail, un nom et une adresse de livraison."
    )
    assert [(error["field"], error["detail"]) for error in problem["errors"]] == [
        ("lines", "Votre panier est vide."),
        ("contact", "Indiquez d'abord une adresse e-mail, un nom et une adresse de livraison."),
    ]


def test_malformed_json_tells_the_shopper_to_reload_and_the_integrator_why(client: FlaskClient) -> None:
    response = ask(client, "POST", "/api/v1/carts", '{"currency": ', "fr")
    problem = response.get_json()
    assert problem["detail"] == "Nous n'avons pas pu lire cette demande : rechargez la page et réessayez."
    assert problem["technical_detail"].startswith("The request body is not valid JSON: ")


def test_a_hidden_character_in_a_name_is_placed_in_words_with_its_code_point_aside(
    client: FlaskClient,
) -> None:
    cart = new_cart(client)
    contact = {**CONTACT, "name": "Ann\u0000"}
    response = ask(client, "PUT", f"/api/v1/carts/{cart}/contact", contact, "fr")
    (error,) = response.get_json()["errors"]
    assert error["detail"] == (
        "Le champ « Nom » contient un caractère de contrôle invisible à la fin : retirez ce caractère."
    )
    assert error["technical_detail"] == "U+0000"


# --- the guard: many bad requests, no engineer's wording -----------------------------------------------

ENGINEER_WORDING = [
    re.compile(r"U\+[0-9A-F]{4}"),
    re.compile(r"\b(?:character|caractère) \d"),
    re.compile(r"\b(?:picks|address|contact|lines|design|events)\.\w"),  # dotted paths
    re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b"),  # snake_case keys: postal_code, line_id
    re.compile(r"(?<!\w)/[a-z_]+(?:/|\b)"),  # JSON pointers
    re.compile(r"Not valid:|Length must|Must be one of|Missing data|Unknown field|Not a valid|Invalid input"),
    re.compile(r"Shorter than|Longer than|greater than or equal|Field may not"),
    re.compile(r"\b(?:None|True|False)\b|[\[\]{}]"),  # Python reprs
    re.compile(r"(?<!\w)'[^'\s]+'(?!\w)"),  # a quoted token, as a repr writes it ('teapot')
    re.compile(r"\bJSON\b|\bNaN\b|\bchar \d"),
]
ENGLISH_WORDS = re.compile(
    r"\b(?:the|is|not|must|field|please|this|your|and|of|required|invalid|valid|characters?|cannot|"
    r"request|found|only|choose|enter)\b",
    re.IGNORECASE,
)


def hostile_requests(client: FlaskClient) -> list[tuple[str, str, Any]]:
    """(method, URL, body) of bad requests a shop's page or a script may send, across carts, checkout,
    configuring and designs."""
    cart = new_cart(client)
    design = client.post("/api/v1/designs", json={"product": "mug"}).get_json()["id"]
    contact = f"/api/v1/carts/{cart}/contact"
    lines = f"/api/v1/carts/{cart}/lines"
    return [
        # carts
        ("POST", "/api/v1/carts", {"currency": "eur"}),
        ("POST", "/api/v1/carts", {"currency": 7}),
        ("POST", "/api/v1/carts", {"currency": None}),
        ("POST", "/api/v1/carts", {"bogus": 1}),
        ("POST", "/api/v1/carts", []),
        ("POST", "/api/v1/carts", '"text"'),
        ("POST", "/api/v1/carts", '{"currency": '),
        ("POST", "/api/v1/carts", "[" * 40 + "]" * 40),
        ("POST", "/api/v1/carts", '{"quantity": ' + "7" * 200 + "}"),
        ("POST", "/api/v1/carts", {"currency": "EUR", "price": "0.01"}),
        ("GET", "/api/v1/carts/no-such-cart", None),
        ("PUT", contact, {}),
        ("PUT", contact, {**CONTACT, "address": {**ADDRESS, "postal_code": "7" * 25}}),
        ("PUT", contact, {**CONTACT, "email": "ann"}),
        ("PUT", contact, {**CONTACT, "email": "a" * 250 + "@example.org"}),
        ("PUT", contact, {**CONTACT, "name": "", "address": {**ADDRESS, "country": "France"}}),
        ("PUT", contact, {**CONTACT, "name": "x" * 201}),
        ("PUT", contact, {**CONTACT, "address": "1 rue de Rivoli"}),
        ("PUT", contact, {**CONTACT, "address": {**ADDRESS, "line1": None, "floor": 3}}),
        ("PUT", contact, {**CONTACT, "name": "Ann\u0000"}),
        ("PUT", contact, '{"email": "a@example.org", "name": "Ann \\ud83d", "address": {}}'),
        ("PUT", "/api/v1/carts/no-such-cart/contact", CONTACT),
        ("POST", lines, {"design": design, "quantity": 0}),
        ("POST", lines, {"design": design, "quantity": "2"}),
        ("POST", lines, {"design": design, "quantity": 10**7}),
        ("POST", lines, {"design": design, "quantity": 1.5}),
        ("POST", lines, {"design": "", "quantity": 1}),
        ("POST", lines, {"design": "d" * 65, "quantity": 1}),
        ("POST", lines, {"design": "no-such-design", "quantity": 1}),
        ("POST", lines, {"quantity": 1}),
        ("PATCH", f"{lines}/999", {"quantity": 1}),
        ("PATCH", f"{lines}/999", {"quantity": -1}),
        # checkout
        ("POST", f"/api/v1/carts/{cart}/checkout", {}),
        ("POST", f"/api/v1/carts/{cart}/checkout", {"express": True}),
        ("POST", "/api/v1/carts/no-such-cart/checkout", {}),
        ("GET", "/api/v1/orders/no-such-order", None),
        # configure
        ("POST", CONFIGURE, {"picks": {"engraving": [1, 2]}}),
        ("POST", CONFIGURE, {"picks": {"engraving": 1.5}}),
        ("POST", CONFIGURE, {"picks": {"engraving": None}}),
        ("POST", CONFIGURE, {"picks": {"engraving": "x" * 1001}}),
        ("POST", CONFIGURE, {"picks": ["colour", "white"]}),
        ("POST", CONFIGURE, {"quantity": 0}),
        ("POST", CONFIGURE, {"quantity": "3"}),
        ("POST", CONFIGURE, {"currency": "eur"}),
        ("POST", CONFIGURE, {"picks": {"engraving": " Anna\u200b"}}),
        ("POST", CONFIGURE, {"picks": {"engraving": "Ann\u202ea"}}),
        ("POST", CONFIGURE, '{"picks": {"engraving": "Ann \\ud83d"}}'),
        ("POST", CONFIGURE, {"picks": {"colour": "plaid"}}),
        ("POST", CONFIGURE, {"picks": {"colur": "white"}}),
        ("POST", CONFIGURE, {"picks": {"width": 65}}),
        ("POST", CONFIGURE, {"picks": {"gift_box": "yes"}}),
        ("POST", CONFIGURE, {"currency": "GBP"}),
        ("POST", "/api/v1/products/teapot/configure", {"picks": {}}),
        ("GET", "/api/v1/products/teapot", None),
        ("POST", "/api/v1/products/mug/repair", {"picks": {}, "attribute": "glaze", "value": "x"}),
        ("POST", "/api/v1/products/mug/repair", {"picks": {}, "attribute": "colour", "value": "plaid"}),
        # designs
        ("POST", "/api/v1/designs", {}),
        ("POST", "/api/v1/designs", {"product": ""}),
        ("POST", "/api/v1/designs", {"product": "p" * 101}),
        ("POST", "/api/v1/designs", {"product": "teapot"}),
        ("POST", "/api/v1/designs", {"product": "mug", "picks": {"engraving": "Sam\u0000"}}),
        ("POST", "/api/v1/designs", {"product": "mug", "picks": {"engraving": {"text": "Sam"}}}),
        ("POST", "/api/v1/designs", {"product": "mug", "unitPrice": "1.00"}),
        ("GET", "/api/v1/designs/no-such-design", None),
        ("GET", f"/api/v1/designs/{design}?currency=eur", None),
        ("GET", f"/api/v1/designs/{design}?key=pk_test", None),
        ("POST", f"/api/v1/designs/{design}/remix", {"picks": {"engraving": [1]}}),
        ("POST", "/api/v1/designs/no-such-design/remix", {"picks": {}}),
    ]


def test_no_bad_request_shows_a_shopper_engineers_wording_in_either_language(client: FlaskClient) -> None:
    found: list[str] = []
    for method, url, body in hostile_requests(client):
        answers = {}
        for language in ("en", "fr"):
            response = ask(client, method, url, body, language)
            assert response.status_code < 500, (method, url, body)
            answers[language] = response.get_json(force=True)
            for text in shopper_texts(answers[language]):
                found += [
                    f"{method} {url} {body!r:.60} [{language}] {text}"
                    for p in ENGINEER_WORDING
                    if p.search(text)
                ]
        # A French shopper reads French: no English words, and nothing left as the English answer said it
        english = set(shopper_texts(answers["en"]))
        for text in shopper_texts(answers["fr"]):
            if ENGLISH_WORDS.search(text) or text in english:
                found.append(f"{method} {url} {body!r:.60} [fr, English] {text}")
    assert found == [], "\n".join(found)
