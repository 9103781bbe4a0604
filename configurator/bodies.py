"""Request bodies, read one way for every endpoint: JSON parsed within limits, then checked for what no
endpoint accepts. `AtelierRequest.get_json` and the API's argument parser both read through
`json_body`, once per request; views never parse JSON themselves.

* **Limits** (400 `json-too-complex`), before or while parsing: arrays and objects nested deeper than
  `MAX_JSON_DEPTH` (found by a scan of the text, before the parser recurses into it), and number
  literals longer than `MAX_NUMBER_LENGTH` characters (CPython's `int` refuses 4,300 digits outright,
  and converts long ones in quadratic time). `NaN` and `Infinity` are not JSON: 400 `malformed-json`.
* **Money keys** (400 `client-price-refused`): an object key, at any depth and in any spelling, that
  names an amount (`rules.money.is_money_key`: `price`, `unitPrice`, `unit-price`, `total_price`,
  `discount`, `amount`...). Prices are the server's; the merchant's admin API, whose blueprint says it
  takes no client bodies, is exempt.
* **Text** (422 `validation-failed`, one error per field): NUL characters, lone surrogates and code
  points unassigned in the shop's Unicode (`rules.unicode`, `rules.text.unusable_characters`), in any
  string, keys included. No database stores the first two; the text policy cannot vouch for the third.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from flask import Request, current_app, request
from webargs.flaskparser import is_json_request

from configurator.errors import (
    AtelierError,
    BadRequest,
    ErrorCode,
    FieldError,
    JSONTooComplex,
    MalformedJSON,
    ValidationFailed,
)
from configurator.locale import request_locale
from configurator.wording import (
    PRICES_ARE_THE_SHOPS,
    UNREADABLE_REQUEST,
    field_label,
    json_pointer,
    please_check,
)
from rules.model import Localized
from rules.money import is_money_key
from rules.text import describe_character, unusable_character_message, unusable_characters

MAX_JSON_DEPTH: Final = 32  # real bodies nest 3 or 4 levels
MAX_NUMBER_LENGTH: Final = 100  # characters of one number literal; no field takes more than 13 digits

# A string (escapes included, or unterminated to the end) or one bracket: what the depth scan reads.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
# What a number longer than the limit would contain somewhere (strings may too: then numbers are measured).
_LONG_NUMBER = re.compile(rf"[-+.0-9eE]{{{MAX_NUMBER_LENGTH + 1}}}")


class ClientPriceRefused(BadRequest):
    """Prices are the server's: a request carrying one is refused, never trusted."""

    code = ErrorCode.CLIENT_PRICE_REFUSED
    title = "Prices are computed by the server"


class JSONLimitExceeded(ValueError):
    """Valid JSON, perhaps, but past `MAX_JSON_DEPTH` or `MAX_NUMBER_LENGTH`; the message says so of
    the document ("is nested...", "holds a number...")."""


def loads(text: str | bytes) -> Any:
    """Parse JSON within the limits: `JSONLimitExceeded`, or another `ValueError` when it is not JSON
    (bytes must be UTF-8).

    >>> loads('{"a": [1, 2.5]}')
    {'a': [1, 2.5]}
    >>> loads("[" * 40 + "]" * 40)
    Traceback (most recent call last):
    configurator.bodies.JSONLimitExceeded: is nested more than 32 levels deep
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:  # else it cannot nest that deep
        depth = 0
        for match in _STRUCTURE.finditer(text):
            token = match.group()
            if token in ("[", "{"):
                depth += 1
                if depth > MAX_JSON_DEPTH:
                    raise JSONLimitExceeded(f"is nested more than {MAX_JSON_DEPTH} levels deep")
            elif token in ("]", "}"):
                depth -= 1
    if _LONG_NUMBER.search(text):  # perhaps a number past the limit: each one is measured
        return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_not_json)
    return json.loads(text, parse_constant=_not_json)


def _integer(literal: str) -> int:
    _check_length(literal)
    return int(literal)


def _float(literal: str) -> float:
    _check_length(literal)
    return float(literal)


def _check_length(literal: str) -> None:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise JSONLimitExceeded(
            f"holds a number {len(literal)} characters long; numbers have at most {MAX_NUMBER_LENGTH}"
        )


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


# --- the checks ------------------------------------------------------------------------------------

PRICE_REFUSED = "Prices, discounts and totals are computed by the server; leave them out of requests."
MONEY_KEY_REFUSED = "A key naming an amount is not accepted from clients."
INVALID_TEXT = "invalid-text"  # the code of each field error about unusable text


def _strings(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """Every string of a parsed body with its path, keys included (the flag says a key)."""
    if isinstance(data, str):
        yield path, data, False
    elif isinstance(data, Mapping):
        for key, value in data.items():
            inner = (*path, _printable(key))
            yield inner, key, True
            yield from _strings(value, inner)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, str(index)))


def _printable(key: str) -> str:
    # A path is written into answers and logs: a lone surrogate in a key is shown escaped.
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _technical(detail: str) -> dict[str, str]:
    """A problem's member for integrators: what exactly was refused, in their terms."""
    return {"technical_detail": detail}


def _has_money_key(data: Any) -> bool:
    # The common case, walked without building a single path.
    if isinstance(data, dict):
        return any(is_money_key(key) or _has_money_key(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_money_key(value) for value in data)
    return False


def refuse_client_prices(data: Any) -> None:
    """`ClientPriceRefused` naming every money key of a body, at any depth."""
    if _has_money_key(data):
        paths = [path for path, text, is_key in _strings(data) if is_key and is_money_key(text)]
        shopper = PRICES_ARE_THE_SHOPS.get(request_locale())
        errors = [
            FieldError(
                ".".join(path),
                shopper,
                code=ClientPriceRefused.code,
                technical_detail=MONEY_KEY_REFUSED,
                pointer=json_pointer(path),
            )
            for path in paths
        ]
        raise ClientPriceRefused(PRICES_ARE_THE_SHOPS, errors=errors, extensions=_technical(PRICE_REFUSED))


def _texts(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _texts(value)


def refuse_unusable_text(data: Any, location: str) -> None:
    """`ValidationFailed` naming every string (or key) that holds a character no text may hold."""
    if not any("\x00" in text or unusable_characters(text) for text in _texts(data)):
        return  # the common case, walked without building a single path
    errors: list[FieldError] = []
    labels: list[Localized] = []
    locale = request_locale()
    for path, text, _ in _strings(data):
        found = [(text.index("\x00"), "\x00")] if "\x00" in text else unusable_characters(text)
        if not found:
            continue
        index, char = found[0]
        label = field_label(path, pick_labels(request, data))
        labels.append(label)
        # Said in words and placed in the text; the code point is for integrators.
        message = unusable_character_message(text, index, label).get(locale)
        errors.append(
            FieldError(
                ".".join(path) or "(body)",
                message,
                location,
                code=INVALID_TEXT,
                technical_detail=describe_character(char),
                pointer=json_pointer(path),
            )
        )
    if errors:
        detail = Localized({locale: errors[0].detail}) if len(errors) == 1 else please_check(labels)
        raise ValidationFailed(detail, errors=errors)


def read_body(raw: bytes, *, client_prices_refused: bool) -> Any:
    """A JSON body parsed within the limits and checked; the `AtelierError` that refuses it otherwise."""
    # A shopper's page never sends such bodies: they are told to reload, integrators told why.
    if not raw:
        technical = "The request body is empty: send a JSON document."
        raise MalformedJSON(UNREADABLE_REQUEST, extensions=_technical(technical))
    try:
        data = loads(raw)
    except JSONLimitExceeded as error:
        technical = f"The request body {error}."
        raise JSONTooComplex(UNREADABLE_REQUEST, extensions=_technical(technical)) from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError among them
        technical = f"The request body is not valid JSON: {error}"
        raise MalformedJSON(UNREADABLE_REQUEST, extensions=_technical(technical)) from None
    if client_prices_refused:
        refuse_client_prices(data)
    if not raw.isascii() or b"\\u" in raw:  # else every string is ASCII, and NUL-free: JSON has no raw NUL
        refuse_unusable_text(data, "body")
    return data


_OUTCOME = "atelier_json_body"  # where a request keeps what its body read to, value or refusal


def json_body(request: Request) -> Any:
    """The request's JSON body, read by `read_body` once per request whoever asks first."""
    outcome: tuple[Any, AtelierError | None] | None = request.environ.get(_OUTCOME)
    if outcome is None:
        raw = request.get_data(cache=True)
        try:
            outcome = (read_body(raw, client_prices_refused=_takes_client_bodies(request)), None)
        except AtelierError as refusal:
            outcome = (None, refusal)
        request.environ[_OUTCOME] = outcome
    value, refused = outcome
    if refused is not None:
        raise refused
    return value


def _takes_client_bodies(request: Request) -> bool:
    # Blueprints say whether their bodies come from clients (configurator.openapi.AtelierBlueprint);
    # a view outside any blueprint does.
    blueprint = current_app.blueprints.get(request.blueprint) if request.blueprint else None
    return bool(getattr(blueprint, "takes_client_bodies", True))


def location_data(req: Request, location: str) -> Any:
    """What a request holds in one location (body, query, path), as parsed."""
    if location == "query":
        return {key: req.args.get(key) for key in req.args}
    if location == "path":
        return req.view_args or {}
    try:
        return json_body(req) if is_json_request(req) else None
    except AtelierError:  # the body was read before the schema ran: a refusal here cannot happen
        return None


def value_at(data: Any, path: list[str]) -> Any:
    """The value a field's path leads to in the request, or None."""
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data


def pick_labels(req: Request, body: Any) -> Callable[[str], Localized | None]:
    """How the product of this request names its attributes (for errors about picks), when it is known:
    the product in the path (`/products/<slug>/...`) or in the body (`{"product": ...}`)."""

    def label(key: str) -> Localized | None:
        from configurator.catalog.errors import CatalogNotPublished
        from configurator.catalog.services import current_catalog

        slug = (req.view_args or {}).get("slug") or (body.get("product") if isinstance(body, dict) else None)
        try:
            product = current_catalog().products.get(slug) if isinstance(slug, str) else None
        except CatalogNotPublished:  # the pick is named without its label
            return None
        attribute = product.model.attribute(key) if product is not None else None
        return attribute.label if attribute is not None else None

    return label


class AtelierRequest(Request):
    """Flask's request whose `get_json` reads the body through `json_body`: within the limits and
    checked, whichever view or hook asks. `silent` silences every refusal, as werkzeug's does."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        try:
            return json_body(self)
        except AtelierError:
            if silent:
                return None
            raise
