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
  points unassigned in Python's Unicode (`rules.text.unusable_characters`), in any string, keys
  included. No database stores the first two; the text policy cannot vouch for the third.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from flask import Request, current_app

from configurator.checkout.errors import ClientPriceRefused
from configurator.errors import AtelierError, FieldError, JSONTooComplex, MalformedJSON, ValidationFailed
from configurator.locale import request_locale
from rules.money import is_money_key
from rules.text import describe_character, unusable_character_message, unusable_characters

MAX_JSON_DEPTH: Final = 32  # real bodies nest 3 or 4 levels
MAX_NUMBER_LENGTH: Final = 100  # characters of one number literal; no field takes more than 13 digits

# A string (escapes included, or unterminated to the end) or one bracket: what the depth scan reads.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
# What a number longer than the limit would contain somewhere (strings may too: then numbers are measured).
_LONG_NUMBER = re.compile(rf"[-+.0-9eE]{{{MAX_NUMBER_LENGTH + 1}}}")


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
NUL_REFUSED = "Text may not contain the NUL character."
INVALID_TEXT = "invalid-text"  # the code of each field error about unusable text


def _strings(data: Any, path: str) -> Iterator[tuple[str, str, bool]]:
    """Every string of a parsed body with its dotted path, keys included (the flag says a key)."""
    if isinstance(data, str):
        yield path, data, False
    elif isinstance(data, Mapping):
        for key, value in data.items():
            inner = f"{path}.{_printable(key)}" if path else _printable(key)
            yield inner, key, True
            yield from _strings(value, inner)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, f"{path}.{index}" if path else str(index))


def _printable(key: str) -> str:
    # A path is written into answers and logs: a lone surrogate in a key is shown escaped.
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


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
        paths = [path for path, text, is_key in _strings(data, "") if is_key and is_money_key(text)]
        refused = "Not accepted from clients."
        errors = [FieldError(path, refused, code=ClientPriceRefused.code) for path in paths]
        raise ClientPriceRefused(PRICE_REFUSED, errors=errors)


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
    for path, text, _ in _strings(data, ""):
        field = path or "(body)"
        if "\x00" in text:
            errors.append(
                FieldError(field, NUL_REFUSED, location, code=INVALID_TEXT, technical_detail="U+0000 NULL")
            )
            continue
        found = unusable_characters(text)
        if found:
            index, char = found[0]
            message = unusable_character_message(text, index).get(request_locale())
            technical = describe_character(char)
            errors.append(FieldError(field, message, location, code=INVALID_TEXT, technical_detail=technical))
    if errors:
        raise ValidationFailed(f"Not valid: {', '.join(e.field for e in errors)}.", errors=errors)


def read_body(raw: bytes, *, client_prices_refused: bool) -> Any:
    """A JSON body parsed within the limits and checked; the `AtelierError` that refuses it otherwise."""
    if not raw:
        raise MalformedJSON("The request body is empty: send a JSON document.")
    try:
        data = loads(raw)
    except JSONLimitExceeded as error:
        raise JSONTooComplex(f"The request body {error}.") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError among them
        raise MalformedJSON(f"The request body is not valid JSON: {error}") from None
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
