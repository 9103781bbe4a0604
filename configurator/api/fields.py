"""marshmallow fields for money and pick values, with the OpenAPI types they document."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeGuard

from marshmallow import ValidationError, fields, validate

from rules.countries import countries, country_refusal
from rules.model import NumberValue, json_value, number_value

MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
MAX_TEXT_PICK = 1000  # far above any text limit; the engine gives the precise message
MAX_MULTI_PICK = 100
MAX_NUMBER_PICK = 10**12


def money_text(amount: Decimal) -> str:
    """How every amount is written on the wire: plain digits, never an exponent (1E+1 -> "10")."""
    return format(amount, "f")


def wire_value(value: object) -> object:
    """`json.dumps`'s `default` for answers written without their schema: amounts as `Money` writes
    them, sets of picks sorted as `PickValue` writes them."""
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not written in answers")


def is_scalar(value: object) -> TypeGuard[bool | int | str]:
    """A boolean, an integer or a string (what a pick or an option key may be, lists aside)."""
    return isinstance(value, bool | int | str)


def bounded_scalar(value: bool | int | str, *, max_number: int, max_text: int) -> bool | int | str:
    """The value as it is, unless a number or a text is past its bound (`ValidationError`).

    >>> bounded_scalar("Léa", max_number=10, max_text=5), bounded_scalar(True, max_number=0, max_text=0)
    ('Léa', True)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > max_number:
        raise ValidationError("Number out of range.")
    if isinstance(value, str) and len(value) > max_text:
        raise ValidationError(f"Longer than {max_text} characters.")
    return value


def decimal_pick(value: float) -> NumberValue:
    """A number with decimals as picks hold it: the decimal the client wrote (18.5), exactly."""
    number = number_value(value)
    if number is None or not -MAX_NUMBER_PICK <= number <= MAX_NUMBER_PICK:
        raise ValidationError("Number out of range.")
    return number


class CountryCode(validate.OneOf):
    """An ISO 3166-1 alpha-2 country code, as shipping zones and tax rates name countries (documented
    as the list of codes). A refusal names the country meant, for integrators: UK is GB."""

    def __init__(self) -> None:
        super().__init__(sorted(countries()))

    def __call__(self, value: Any) -> Any:
        # The words a saved cart's address is told too (configurator.carts.services)
        refused = country_refusal(value)
        if refused is None:
            return value
        raise ValidationError(refused)


class Money(fields.Field[Decimal]):
    """An exact decimal amount, serialised as a plain string ("14.00"); never a float."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "example": "14.00",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return money_text(Decimal(value))


def money_map(**kwargs: Any) -> fields.Dict:
    """Currency code -> amount."""
    return fields.Dict(keys=fields.String(), values=Money(), **kwargs)


_SCALAR_DOC = [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]
PICK_VALUE_DOC = {
    "anyOf": [*_SCALAR_DOC, {"type": "array", "items": {"type": "string"}}],
    "description": "choice/colour: option key; number: a value on its steps (120, 18.5); "
    "boolean: true/false; multi: list of option keys; text: the text",
}


class PickValue(fields.Field[Any]):
    """A value a shopper picks: str, int, bool or a list of option keys (sets are sorted on output)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={**PICK_VALUE_DOC, **kwargs.pop("metadata", {})}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, frozenset | set):
            return sorted(value)
        return json_value(value)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, float):
            return decimal_pick(value)
        if is_scalar(value):
            return bounded_scalar(value, max_number=MAX_NUMBER_PICK, max_text=MAX_TEXT_PICK)
        if isinstance(value, list):
            if len(value) > MAX_MULTI_PICK or not all(isinstance(v, str) for v in value):
                raise ValidationError("A list pick must hold option keys (strings).")
            return value
        raise ValidationError("A pick is a string, an integer, a boolean or a list of strings.")


class OptionKey(fields.Field[Any]):
    """An option's key: an option key string, a number's value or a boolean."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"anyOf": _SCALAR_DOC, **kwargs.pop("metadata", {})}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return json_value(value)


class Picks(fields.Dict):
    """Attribute key -> PickValue; errors land at `picks.<attribute>`, not `picks.<attribute>.value`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=PickValue(allow_none=True), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        try:
            picks = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-untyped-call]
            # null is "no pick": clearing an attribute is always accepted, however the client says it.
            return {key: pick for key, pick in picks.items() if pick is not None}
        except ValidationError as error:
            messages = error.messages
            if isinstance(messages, dict):
                messages = {
                    key: (inner.get("value") or inner.get("key") or inner)
                    if isinstance(inner, dict)
                    else inner
                    for key, inner in messages.items()
                }
            raise ValidationError(messages) from error
