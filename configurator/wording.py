"""What a shopper reads when a request is refused, in the language of the answer: the fields named as a
shopper knows them ("Postcode", not `address.postal_code`) and one sentence per kind of input problem.

Request bodies are checked by marshmallow, whose messages are written for programmers ("Length must
be between 1 and 20."). They stay, word for word, in each field error's `technical_detail` for
integrators; `shopper_sentence` reads them (`classify`) and says the same thing for shoppers. Every
shopper text of the API's refusals is here, in English and French, so a new language is one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from configurator.locale import MESSAGES
from rules.countries import country_name, meant
from rules.i18n import LANGUAGES, listed
from rules.model import Localized
from rules.regions import region_name

# --- fields -----------------------------------------------------------------------------------------

# By the last named step of a field's path: `address.postal_code` is "Postcode" wherever it is.
FIELD_LABELS: Final[Mapping[str, Localized]] = {
    "email": MESSAGES.localized("E-mail address"),
    "name": MESSAGES.localized("Name"),
    "address": MESSAGES.localized("Address"),
    "country": MESSAGES.localized("Country"),
    "postal_code": MESSAGES.localized("Postcode"),
    "city": MESSAGES.localized("Town or city"),
    "line1": MESSAGES.localized("Street address"),
    "line2": MESSAGES.localized("Address line 2"),
    # Translators: the region of a shipping address: a US state, a Canadian province, a Spanish community.
    "region": MESSAGES.localized("State, province or region"),
    "contact": MESSAGES.localized("Contact details"),
    "quantity": MESSAGES.localized("Quantity"),
    "design": MESSAGES.localized("Design"),
    "product": MESSAGES.localized("Product"),
    "currency": MESSAGES.localized("Currency"),
    "picks": MESSAGES.localized("Your choices"),
    "lines": MESSAGES.localized("Cart"),
    "size": MESSAGES.localized("Size"),
    "title": MESSAGES.localized("Title"),
    "display_name": MESSAGES.localized("Name shown"),
    "body": MESSAGES.localized("Description"),
    "reason": MESSAGES.localized("Reason"),
    "note": MESSAGES.localized("Note"),
}
SOME_CHOICE: Final = MESSAGES.localized("One of your choices")
SOME_FIELD: Final = MESSAGES.localized("This information")


def field_label(
    path: Sequence[str], attribute_label: Callable[[str], Localized | None] | None = None
) -> Localized:
    """The name a shopper knows a field by, from its path (`["address", "postal_code"]`).

    A pick (`["picks", "engraving"]`) is named by its attribute's label when `attribute_label` knows
    it; a field with no shopper name is "This information", never its key.

    >>> field_label(["address", "postal_code"]).get("fr"), field_label(["picks", "x"]).get("en")
    ('Code postal', 'One of your choices')
    """
    named = [step for step in path if not step.isdigit()]
    if len(named) >= 2 and named[0] == "picks":
        found = attribute_label(named[1]) if attribute_label is not None else None
        return found or SOME_CHOICE
    if named and named[-1] in FIELD_LABELS:
        return FIELD_LABELS[named[-1]]
    return SOME_FIELD


def json_pointer(path: Sequence[str]) -> str:
    """A field's path as an RFC 6901 JSON pointer (`/address/postal_code`), "" for the whole body.

    >>> json_pointer(["picks", "a/b~c"]), json_pointer([])
    ('/picks/a~1b~0c', '')
    """
    return "".join("/" + step.replace("~", "~0").replace("/", "~1") for step in path)


def pointer_path(pointer: str) -> list[str]:
    """The steps of a JSON pointer, `json_pointer`'s inverse."""
    if not pointer:
        return []
    return [step.replace("~1", "/").replace("~0", "~") for step in pointer[1:].split("/")]


# --- kinds of problems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with a field, read from a technical message: a kind and its numbers."""

    kind: str  # required | too-long | too-short | length | range | at-least | at-most | email | choice
    #            | country | region | region-country | region-required | whole-number | number | type
    #            | unknown-field | unreadable | invalid
    numbers: Mapping[str, str] = field(default_factory=dict)


_NUMBER = r"(?P<{}>-?[0-9][0-9.]*)"
# marshmallow's own messages (and ours) as they read, each with the kind of problem it states.
_TECHNICAL: Final = tuple(
    (re.compile(pattern.format(min=_NUMBER.format("min"), max=_NUMBER.format("max"))), kind)
    for pattern, kind in (
        (r"Missing data for required field\.", "required"),
        (r"Field may not be null\.", "required"),
        (r"Unknown field\.", "unknown-field"),
        (r"Preview URLs take .*", "unknown-field"),
        (r"Invalid input type\.", "unreadable"),
        (r"Invalid type\.", "type"),
        (r"Length must be between {min} and {max}\.", "length"),
        (r"Shorter than minimum length {min}\.", "too-short"),
        (r"Longer than maximum length {max}\.", "too-long"),
        (r"Longer than {max} characters\.", "too-long"),
        (r"Must be greater than or equal to {min} and less than or equal to {max}\.", "range"),
        (r"Must be greater than or equal to {min}\.", "at-least"),
        (r"Must be less than or equal to {max}\.", "at-most"),
        (r"Number out of range\.", "out-of-range"),
        (r"Not a valid email address\.", "email"),
        (r"Must be one of: .*", "choice"),
        (r"A currency is three capital letters.*", "choice"),
        (r"Not an ISO 3166-1 alpha-2 country code.*", "country"),
        (r"Not an ISO 3166-2 region code: .*; did you mean (?P<region>[A-Z]+-[A-Z0-9]+)\?", "region"),
        (r"Not an ISO 3166-2 region code.*", "region"),
        (r"Region (?P<region>[A-Z0-9-]+) is not in country (?P<country>[A-Z]+)", "region-country"),
        (r"The shop's tax in (?P<country>[A-Z]+) depends on the region.*", "region-required"),
        (r"Not a valid integer\.", "whole-number"),
        (r"Not a valid number\.", "number"),
        (r"Not a valid (?:string|boolean|list|tuple|mapping type|datetime|date|UUID)\.", "type"),
        (r"An? (?:list )?pick .*", "type"),
        (r"An option is .*", "type"),
        (r"Not a boolean\.", "type"),
    )
)


def classify(technical: str, value: Any = None) -> Problem:
    """The kind of problem a technical message states; `value` (the field's, when known) tells a
    length "between 1 and 20" apart as too short or too long.

    >>> classify("Length must be between 1 and 20.", "x" * 25)
    Problem(kind='too-long', numbers={'min': '1', 'max': '20'})
    >>> classify("Something only we say.").kind
    'invalid'
    """
    for pattern, kind in _TECHNICAL:
        match = pattern.fullmatch(technical)
        if match is None:
            continue
        numbers = {name: number for name, number in match.groupdict().items() if number is not None}
        if kind == "length" and isinstance(value, str | list):
            if len(value) < int(numbers["min"]):
                kind = "too-short"
            elif len(value) > int(numbers["max"]):
                kind = "too-long"
        if kind == "too-short" and int(numbers.get("min", "1")) <= 1:
            kind = "required" if value is None else "empty"
        if kind == "country":
            numbers = _country_numbers(value)
        if kind == "region":
            numbers = {**numbers, **_region_numbers(value)}
        return Problem(kind, numbers)
    return Problem("invalid")


# A country named when a code is not one and no other is meant: the shop's own demo country.
EXAMPLE_COUNTRY: Final = "FR"
EXAMPLE_REGION: Final = "US-CA"
_MOST_QUOTED: Final = 20  # characters of what was written, quoted back


def _country_numbers(value: Any) -> dict[str, str]:
    """What a country refusal says: what was written (its start) and the code meant, if one is.

    >>> _country_numbers("UK"), _country_numbers("Narnia")
    ({'value': 'UK', 'country': 'GB'}, {'value': 'Narnia'})
    """
    written = str(value) if value is not None else ""
    quoted = written if len(written) <= _MOST_QUOTED else written[: _MOST_QUOTED - 1] + "…"
    found = meant(written) if isinstance(value, str) else ()
    return {"value": quoted, "country": found[0]} if len(found) == 1 else {"value": quoted}


def _region_numbers(value: Any) -> dict[str, str]:
    """What a region refusal quotes: what was written (its start). The region meant comes from the
    refusal itself, which knows the address's country ("CA" in the US is US-CA).

    >>> classify("Not an ISO 3166-2 region code: 'CA'; did you mean US-CA?", "CA").numbers
    {'region': 'US-CA', 'value': 'CA'}
    """
    written = str(value) if value is not None else ""
    return {"value": written if len(written) <= _MOST_QUOTED else written[: _MOST_QUOTED - 1] + "…"}


def _region(code: str) -> Localized:
    """A region's name in every language of the catalogs (iso-codes' translations)."""
    return Localized({language: region_name(code, language) for language in LANGUAGES})


def _country(code: str) -> Localized:
    """A country's name in every language of the catalogs (CLDR's)."""
    return Localized({language: country_name(code, language) for language in LANGUAGES})


def _number(text: str | None) -> int | Decimal:
    try:
        number = Decimal(text or "0")
    except ArithmeticError:
        return 0
    return int(number) if number == number.to_integral_value() else number


def shopper_sentence(problem: Problem, label: Localized, *, items: bool = False) -> Localized:
    """The problem said to a shopper about the field named `label`; `items` when the field is a list.

    >>> shopper_sentence(classify("Longer than maximum length 20."), field_label(["postal_code"])).get("fr")
    'Le champ « Code postal » est trop long : 20 caractères au maximum.'
    """
    low, high = _number(problem.numbers.get("min")), _number(problem.numbers.get("max"))
    count = int(high if problem.kind in ("too-long", "length") else low)
    match problem.kind, items:
        case "required", _:
            return MESSAGES.localized("{label} is required.", label=label)
        case "empty", _:
            return MESSAGES.localized("{label} cannot be empty.", label=label)
        case "too-long", False:
            return MESSAGES.localized_plural(
                "{label} is too long: at most {n} character.",
                "{label} is too long: at most {n} characters.",
                count,
                label=label,
            )
        case "too-long", True:
            return MESSAGES.localized_plural(
                "{label} is too long: at most {n} item.",
                "{label} is too long: at most {n} items.",
                count,
                label=label,
            )
        case "too-short", False:
            return MESSAGES.localized_plural(
                "{label} is too short: at least {n} character.",
                "{label} is too short: at least {n} characters.",
                count,
                label=label,
            )
        case "too-short", True:
            return MESSAGES.localized_plural(
                "{label} is too short: at least {n} item.",
                "{label} is too short: at least {n} items.",
                count,
                label=label,
            )
        case "length", False:
            return MESSAGES.localized_plural(
                "{label} takes between {low} and {n} character.",
                "{label} takes between {low} and {n} characters.",
                count,
                label=label,
                low=low,
            )
        case "length", True:
            return MESSAGES.localized_plural(
                "{label} takes between {low} and {n} item.",
                "{label} takes between {low} and {n} items.",
                count,
                label=label,
                low=low,
            )
        case "range", _:
            return MESSAGES.localized(
                "{label} must be between {low} and {high}.", label=label, low=low, high=high
            )
        case "at-least", _:
            return MESSAGES.localized("{label} must be at least {low}.", label=label, low=low)
        case "at-most", _:
            return MESSAGES.localized("{label} must be at most {high}.", label=label, high=high)
        case "out-of-range", _:
            return MESSAGES.localized("{label} is outside the values we accept.", label=label)
        case "email", _:
            return MESSAGES.localized("Enter an e-mail address such as name@example.com.")
        case "choice", _:
            return MESSAGES.localized("Choose one of the options offered for {label}.", label=label)
        case "country", _:
            written, code = problem.numbers.get("value", ""), problem.numbers.get("country")
            if code is not None:
                return MESSAGES.localized(
                    "{label} must be a two-letter country code, not “{value}”. "
                    "Did you mean {code} ({country})?",
                    label=label,
                    value=written,
                    code=code,
                    country=_country(code),
                )
            return MESSAGES.localized(
                "{label} must be a two-letter country code such as {code} ({country}), not “{value}”.",
                label=label,
                value=written,
                code=EXAMPLE_COUNTRY,
                country=_country(EXAMPLE_COUNTRY),
            )
        case "region", _:
            written, code = problem.numbers.get("value", ""), problem.numbers.get("region")
            if code is not None:
                return MESSAGES.localized(
                    "{label} must be a region code, not “{value}”. Did you mean {code} ({region})?",
                    label=label,
                    value=written,
                    code=code,
                    region=_region(code),
                )
            return MESSAGES.localized(
                "{label} must be a region code such as {code} ({region}), not “{value}”.",
                label=label,
                value=written,
                code=EXAMPLE_REGION,
                region=_region(EXAMPLE_REGION),
            )
        case "region-country", _:
            region, country = problem.numbers.get("region", ""), problem.numbers.get("country", "")
            return MESSAGES.localized(
                "{region} is not a region of the country chosen ({country}): "
                "choose one of its regions, or another country.",
                region=_region(region),
                country=_country(country),
            )
        case "region-required", _:
            return MESSAGES.localized(
                "Choose your state, province or region: tax in this country ({country}) depends on it.",
                country=_country(problem.numbers.get("country", "")),
            )
        case "whole-number", _:
            return MESSAGES.localized("{label} must be a whole number.", label=label)
        case "number", _:
            return MESSAGES.localized("{label} must be a number.", label=label)
        case "unknown-field", _:
            return MESSAGES.localized(
                "This request holds information we do not expect; reload the page and try again."
            )
        case "unreadable", _:
            return UNREADABLE_REQUEST
        case "type", _:
            return MESSAGES.localized("{label} is not in a form we can read.", label=label)
    return MESSAGES.localized("{label} is not valid.", label=label)


def please_check(labels: Sequence[Localized]) -> Localized:
    """A problem's `detail` naming every field to correct.

    >>> please_check([FIELD_LABELS["postal_code"], FIELD_LABELS["email"]]).get("en")
    'Please check: Postcode and E-mail address.'
    >>> please_check([FIELD_LABELS["postal_code"], FIELD_LABELS["email"], FIELD_LABELS["city"]]).get("de")
    'Bitte prüfen Sie: Postleitzahl, E-Mail-Adresse und Ort.'
    """
    unique = list({label.get("en"): label for label in labels}.values())
    return MESSAGES.localized("Please check: {fields}.", fields=listed(unique))


# --- whole requests ----------------------------------------------------------------------------------

UNREADABLE_REQUEST: Final = MESSAGES.localized(
    "We could not read this request; reload the page and try again."
)
PRICES_ARE_THE_SHOPS: Final = MESSAGES.localized(
    "Prices are worked out by the shop, so this request cannot set them."
)

CART_EMPTY: Final = MESSAGES.localized("Your cart is empty.")
CONTACT_MISSING: Final = MESSAGES.localized("Give an e-mail address, a name and a delivery address first.")


CART_UNKNOWN: Final = MESSAGES.localized("We cannot find this cart.")
CART_ORDERED: Final = MESSAGES.localized("This cart has already been ordered; start a new cart.")
LINE_UNKNOWN: Final = MESSAGES.localized("This item is no longer in your cart.")
DESIGN_UNKNOWN: Final = MESSAGES.localized("We cannot find this design.")
PRODUCT_UNKNOWN: Final = MESSAGES.localized("This product is not in the shop.")
COUNTRY_UNKNOWN: Final = MESSAGES.localized("We do not know this country.")
DESIGN_BREAKS_RULES: Final = MESSAGES.localized(
    "This design breaks the product's rules; change it before adding it to the cart."
)


CONSENT_NEEDED: Final = MESSAGES.localized(
    "To publish, vote, report or suggest, first allow the shop to keep your choices."
)
NOT_YOUR_DESIGN: Final = MESSAGES.localized("You can only publish designs you saved yourself.")
ALREADY_IN_GALLERY: Final = MESSAGES.localized("This design is already in the gallery.")
ENTRY_UNKNOWN: Final = MESSAGES.localized("We cannot find this design in the gallery.")
# An idea's status as shoppers read it (the board, the e-mail to followers).
IDEA_STATUS_LABELS: Final[Mapping[str, Localized]] = {
    "open": MESSAGES.localized("open"),
    "under_review": MESSAGES.localized("under review"),
    "planned": MESSAGES.localized("planned"),
    "made": MESSAGES.localized("made"),
    "declined": MESSAGES.localized("declined"),
    "removed": MESSAGES.localized("removed"),
}
CAMPAIGN_UNKNOWN: Final = MESSAGES.localized("We cannot find this campaign.")
CAMPAIGN_NOT_OPEN: Final = MESSAGES.localized("This campaign is not open at the moment.")

CAMPAIGN_STILL_OPEN: Final = MESSAGES.localized("Close the vote before publishing its winner.")


def edition_full(left: int) -> Localized:
    """Why a pre-order is refused: the limited edition has fewer pieces left than asked for."""
    if left == 0:
        return MESSAGES.localized("This edition is sold out.")
    return MESSAGES.localized_plural(
        "Only {n} left in this edition: pre-order fewer.",
        "Only {n} left in this edition: pre-order fewer.",
        left,
    )


IDEA_UNKNOWN: Final = MESSAGES.localized("We cannot find this idea.")


UPLOAD_UNKNOWN: Final = MESSAGES.localized("We no longer have this image: upload it again.")


PAYMENT_PENDING: Final = MESSAGES.localized(
    "Your payment has not gone through yet. If you have paid, wait a moment and try again; if not, pay again."
)
PAYMENT_NOT_STARTED: Final = MESSAGES.localized(
    "No payment was started for this order: check the cart out again."
)
PAYMENT_ELSEWHERE: Final = MESSAGES.localized(
    "This order was paid through a service the shop no longer uses: please contact the shop."
)


def cart_full(most: int) -> Localized:
    """Why a design cannot be added: the cart holds as many different designs as it may."""
    return MESSAGES.localized_plural(
        "A cart holds at most {n} different design.", "A cart holds at most {n} different designs.", most
    )


def too_many_requests(wait: int) -> Localized:
    """Why a request is refused for now, and how long to wait."""
    return MESSAGES.localized_plural(
        "Too many requests in a short time; try again in {n} second.",
        "Too many requests in a short time; try again in {n} seconds.",
        wait,
    )


def no_delivery(shop: Localized) -> Localized:
    """Why a cart cannot be checked out to its address: the shop does not deliver to its country.

    >>> no_delivery(Localized({"en": "Northwind", "fr": "Northwind"})).get("fr")
    'Northwind ne livre pas dans ce pays : choisissez une autre adresse.'
    """
    return MESSAGES.localized("{shop} does not deliver to this country; choose another address.", shop=shop)


def too_heavy(shop: Localized) -> Localized:
    """Why a cart cannot be checked out to its address: it weighs more than the shop sends there.

    >>> too_heavy(Localized({"en": "Northwind"})).get("en")
    'This order is too heavy for Northwind to send to this country: split it into smaller orders.'
    """
    return MESSAGES.localized(
        "This order is too heavy for {shop} to send to this country: split it into smaller orders.", shop=shop
    )


# The `title` of each problem, by its code: what happened, as a shopper would say it.
TITLES: Final[Mapping[str, Localized]] = {
    "bad-request": MESSAGES.localized("This request could not be handled"),
    "malformed-json": MESSAGES.localized("This request could not be read"),
    "json-too-complex": MESSAGES.localized("This request is too complex"),
    "validation-failed": MESSAGES.localized("Some details need correcting"),
    "not-found": MESSAGES.localized("Not found"),
    "method-not-allowed": MESSAGES.localized("This action is not possible here"),
    "internal-error": MESSAGES.localized("Something went wrong on our side"),
    "catalog-not-published": MESSAGES.localized("The shop is not open yet"),
    "product-not-found": MESSAGES.localized("Product not found"),
    "unknown-attribute": MESSAGES.localized("This product has no such option"),
    "invalid-pick": MESSAGES.localized("Some choices are not available"),
    "unsupported-currency": MESSAGES.localized("This currency is not offered"),
    "design-not-found": MESSAGES.localized("Design not found"),
    "cart-not-found": MESSAGES.localized("Cart not found"),
    "cart-line-not-found": MESSAGES.localized("This item is no longer in the cart"),
    "cart-closed": MESSAGES.localized("This cart has already been ordered"),
    "cart-not-ready": MESSAGES.localized("The cart cannot be checked out yet"),
    "design-invalid": MESSAGES.localized("This design breaks the product's rules"),
    "client-price-refused": MESSAGES.localized("Prices are worked out by the shop"),
    "order-not-found": MESSAGES.localized("Order not found"),
    "payment-failed": MESSAGES.localized("The payment did not go through"),
    "origin-not-allowed": MESSAGES.localized("This site may not sell these products"),
    "rate-limited": MESSAGES.localized("Too many requests: please wait a moment"),
    "upload-not-found": MESSAGES.localized("Image not found"),
    "upload-too-large": MESSAGES.localized("This image is too large"),
    "unsupported-image": MESSAGES.localized("This kind of image is not supported"),
    "image-unreadable": MESSAGES.localized("This image could not be read"),
    "image-too-large": MESSAGES.localized("This image is too large"),
    "request-too-large": MESSAGES.localized("This request is too large"),
    "uri-too-long": MESSAGES.localized("This address is too long"),
    "headers-too-large": MESSAGES.localized("This request is too large"),
    "preview-unavailable": MESSAGES.localized("The preview is not available"),
    "consent-required": MESSAGES.localized("Your consent is needed first"),
    "not-your-design": MESSAGES.localized("Only your own designs"),
    "already-in-gallery": MESSAGES.localized("Already in the gallery"),
    "gallery-entry-not-found": MESSAGES.localized("Design not found in the gallery"),
    "idea-not-found": MESSAGES.localized("Idea not found"),
    "campaign-not-found": MESSAGES.localized("Campaign not found"),
    "campaign-not-open": MESSAGES.localized("The campaign is not open"),
    "edition-full": MESSAGES.localized("Not enough pieces left"),
}


_ANY_REFUSAL: Final = MESSAGES.localized("This request could not be handled")


def title(code: str, fallback: str, locale: str) -> str:
    """A problem's title in `locale`: an English `fallback` (an HTTP status phrase, an admin API title)
    stands in English answers only.

    >>> title("cart-not-found", "Cart not found", "fr"), title("http-error", "Conflict", "en")
    ('Panier introuvable', 'Conflict')
    """
    known = TITLES.get(code)
    if known is not None:
        return known.get(locale)
    return fallback if locale.split("-")[0].lower() == "en" else _ANY_REFUSAL.get(locale)
