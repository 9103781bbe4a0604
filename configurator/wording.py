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
from typing import Any, Final

from rules.model import Localized

# --- fields -----------------------------------------------------------------------------------------

# By the last named step of a field's path: `address.postal_code` is "Postcode" wherever it is.
FIELD_LABELS: Final[Mapping[str, Localized]] = {
    "email": Localized({"en": "E-mail address", "fr": "Adresse e-mail"}),
    "name": Localized({"en": "Name", "fr": "Nom"}),
    "address": Localized({"en": "Address", "fr": "Adresse"}),
    "country": Localized({"en": "Country", "fr": "Pays"}),
    "postal_code": Localized({"en": "Postcode", "fr": "Code postal"}),
    "city": Localized({"en": "Town or city", "fr": "Ville"}),
    "line1": Localized({"en": "Street address", "fr": "Adresse (numéro et rue)"}),
    "line2": Localized({"en": "Address line 2", "fr": "Complément d'adresse"}),
    "contact": Localized({"en": "Contact details", "fr": "Coordonnées"}),
    "quantity": Localized({"en": "Quantity", "fr": "Quantité"}),
    "design": Localized({"en": "Design", "fr": "Création"}),
    "product": Localized({"en": "Product", "fr": "Produit"}),
    "currency": Localized({"en": "Currency", "fr": "Devise"}),
    "picks": Localized({"en": "Your choices", "fr": "Vos choix"}),
    "lines": Localized({"en": "Cart", "fr": "Panier"}),
    "size": Localized({"en": "Size", "fr": "Taille"}),
    "title": Localized({"en": "Title", "fr": "Titre"}),
    "display_name": Localized({"en": "Name shown", "fr": "Nom affiché"}),
    "body": Localized({"en": "Description", "fr": "Description"}),
    "reason": Localized({"en": "Reason", "fr": "Motif"}),
    "note": Localized({"en": "Note", "fr": "Remarque"}),
}
SOME_CHOICE: Final = Localized({"en": "One of your choices", "fr": "L'un de vos choix"})
SOME_FIELD: Final = Localized({"en": "This information", "fr": "Cette information"})


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
    #            | whole-number | number | type | unknown-field | unreadable | invalid
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
        (r"An ISO 3166-1 alpha-2 code.*", "choice"),
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
        return Problem(kind, numbers)
    return Problem("invalid")


def _en(kind: str, label: str, n: Mapping[str, str], items: bool) -> str:
    unit = "items" if items else "characters"
    sentences = {
        "required": f"{label} is required.",
        "empty": f"{label} cannot be empty.",
        "too-long": f"{label} is too long: at most {n.get('max')} {unit}.",
        "too-short": f"{label} is too short: at least {n.get('min')} {unit}.",
        "length": f"{label} takes between {n.get('min')} and {n.get('max')} {unit}.",
        "range": f"{label} must be between {n.get('min')} and {n.get('max')}.",
        "at-least": f"{label} must be at least {n.get('min')}.",
        "at-most": f"{label} must be at most {n.get('max')}.",
        "out-of-range": f"{label} is outside the values we accept.",
        "email": "Enter an e-mail address such as name@example.com.",
        "choice": f"Choose one of the options offered for {label}.",
        "whole-number": f"{label} must be a whole number.",
        "number": f"{label} must be a number.",
        "unknown-field": "This request holds information we do not expect; reload the page and try again.",
        "unreadable": "We could not read this request; reload the page and try again.",
        "type": f"{label} is not in a form we can read.",
    }
    return sentences.get(kind, f"{label} is not valid.")


def _fr(kind: str, label: str, n: Mapping[str, str], items: bool) -> str:
    unit = "éléments" if items else "caractères"
    field_ = f"Le champ « {label} »"
    sentences = {
        "required": f"{field_} est obligatoire.",
        "empty": f"{field_} ne peut pas être vide.",
        "too-long": f"{field_} est trop long : {n.get('max')} {unit} au maximum.",
        "too-short": f"{field_} est trop court : {n.get('min')} {unit} au minimum.",
        "length": f"{field_} compte entre {n.get('min')} et {n.get('max')} {unit}.",
        "range": f"{field_} doit être compris entre {n.get('min')} et {n.get('max')}.",
        "at-least": f"{field_} doit valoir au moins {n.get('min')}.",
        "at-most": f"{field_} doit valoir au plus {n.get('max')}.",
        "out-of-range": f"{field_} est en dehors des valeurs acceptées.",
        "email": "Saisissez une adresse e-mail de la forme nom@exemple.fr.",
        "choice": f"Choisissez l'une des options proposées pour « {label} ».",
        "whole-number": f"{field_} doit être un nombre entier.",
        "number": f"{field_} doit être un nombre.",
        "unknown-field": "Cette demande contient une information inattendue : "
        "rechargez la page et réessayez.",
        "unreadable": "Nous n'avons pas pu lire cette demande : rechargez la page et réessayez.",
        "type": f"{field_} n'a pas une forme que nous savons lire.",
    }
    return sentences.get(kind, f"{field_} n'est pas valide.")


def shopper_sentence(problem: Problem, label: Localized, *, items: bool = False) -> Localized:
    """The problem said to a shopper about the field named `label`; `items` when the field is a list.

    >>> shopper_sentence(classify("Longer than maximum length 20."), field_label(["postal_code"])).get("fr")
    'Le champ « Code postal » est trop long : 20 caractères au maximum.'
    """
    return Localized(
        {
            language: write(problem.kind, label.get(language), problem.numbers, items)
            for language, write in (("en", _en), ("fr", _fr))
        }
    )


def please_check(labels: Sequence[Localized]) -> Localized:
    """A problem's `detail` naming every field to correct.

    >>> please_check([FIELD_LABELS["postal_code"], FIELD_LABELS["email"]]).get("en")
    'Please check: Postcode, E-mail address.'
    """
    unique = {label.get("en"): label for label in labels}.values()
    return Localized(
        {
            "en": f"Please check: {', '.join(label.get('en') for label in unique)}.",
            "fr": f"Veuillez vérifier : {', '.join(label.get('fr') for label in unique)}.",
        }
    )


# --- whole requests ----------------------------------------------------------------------------------

UNREADABLE_REQUEST: Final = Localized(
    {
        "en": "We could not read this request; reload the page and try again.",
        "fr": "Nous n'avons pas pu lire cette demande : rechargez la page et réessayez.",
    }
)
PRICES_ARE_THE_SHOPS: Final = Localized(
    {
        "en": "Prices are worked out by the shop, so this request cannot set them.",
        "fr": "Les prix sont calculés par la boutique : cette demande ne peut pas les fixer.",
    }
)

CART_EMPTY: Final = Localized({"en": "Your cart is empty.", "fr": "Votre panier est vide."})
CONTACT_MISSING: Final = Localized(
    {
        "en": "Give an e-mail address, a name and a delivery address first.",
        "fr": "Indiquez d'abord une adresse e-mail, un nom et une adresse de livraison.",
    }
)


CART_UNKNOWN: Final = Localized({"en": "We cannot find this cart.", "fr": "Nous ne trouvons pas ce panier."})
CART_ORDERED: Final = Localized(
    {
        "en": "This cart has already been ordered; start a new cart.",
        "fr": "Ce panier a déjà été commandé : commencez un nouveau panier.",
    }
)
LINE_UNKNOWN: Final = Localized(
    {"en": "This item is no longer in your cart.", "fr": "Cet article n'est plus dans votre panier."}
)
DESIGN_UNKNOWN: Final = Localized(
    {"en": "We cannot find this design.", "fr": "Nous ne trouvons pas cette création."}
)
PRODUCT_UNKNOWN: Final = Localized(
    {"en": "This product is not in the shop.", "fr": "Ce produit n'est pas dans la boutique."}
)
DESIGN_BREAKS_RULES: Final = Localized(
    {
        "en": "This design breaks the product's rules; change it before adding it to the cart.",
        "fr": "Cette création enfreint les règles du produit : modifiez-la avant de l'ajouter au panier.",
    }
)


CONSENT_NEEDED: Final = Localized(
    {
        "en": "To publish, vote, report or suggest, first allow the shop to keep your choices.",
        "fr": "Pour publier, voter, signaler ou suggérer, autorisez d'abord la boutique à garder vos choix.",
    }
)
NOT_YOUR_DESIGN: Final = Localized(
    {
        "en": "You can only publish designs you saved yourself.",
        "fr": "Vous ne pouvez publier que les créations que vous avez enregistrées vous-même.",
    }
)
ALREADY_IN_GALLERY: Final = Localized(
    {"en": "This design is already in the gallery.", "fr": "Cette création est déjà dans la galerie."}
)
ENTRY_UNKNOWN: Final = Localized(
    {
        "en": "We cannot find this design in the gallery.",
        "fr": "Nous ne trouvons pas cette création dans la galerie.",
    }
)
# An idea's status as shoppers read it (the board, the e-mail to followers).
IDEA_STATUS_LABELS: Final[Mapping[str, Localized]] = {
    "open": Localized({"en": "open", "fr": "ouverte"}),
    "under_review": Localized({"en": "under review", "fr": "à l'étude"}),
    "planned": Localized({"en": "planned", "fr": "prévue"}),
    "made": Localized({"en": "made", "fr": "réalisée"}),
    "declined": Localized({"en": "declined", "fr": "écartée"}),
    "removed": Localized({"en": "removed", "fr": "retirée"}),
}
CAMPAIGN_UNKNOWN: Final = Localized(
    {"en": "We cannot find this campaign.", "fr": "Nous ne trouvons pas cette campagne."}
)
CAMPAIGN_NOT_OPEN: Final = Localized(
    {"en": "This campaign is not open at the moment.", "fr": "Cette campagne n'est pas ouverte en ce moment."}
)

CAMPAIGN_STILL_OPEN: Final = Localized(
    {
        "en": "Close the vote before publishing its winner.",
        "fr": "Clôturez le vote avant d'en publier le gagnant.",
    }
)


def edition_full(left: int) -> Localized:
    """Why a pre-order is refused: the limited edition has fewer pieces left than asked for."""
    if left == 0:
        return Localized({"en": "This edition is sold out.", "fr": "Cette édition est épuisée."})
    return Localized(
        {
            "en": f"Only {left} left in this edition: pre-order fewer.",
            "fr": f"Il n'en reste que {left} dans cette édition : réservez-en moins.",
        }
    )


IDEA_UNKNOWN: Final = Localized({"en": "We cannot find this idea.", "fr": "Nous ne trouvons pas cette idée."})


UPLOAD_UNKNOWN: Final = Localized(
    {
        "en": "We no longer have this image: upload it again.",
        "fr": "Nous n'avons plus cette image : envoyez-la de nouveau.",
    }
)


PAYMENT_PENDING: Final = Localized(
    {
        "en": "Your payment has not gone through yet. If you have paid, wait a moment and try again; "
        "if not, pay again.",
        "fr": "Votre paiement n'a pas encore abouti. Si vous avez payé, patientez un instant et réessayez ; "
        "sinon, payez de nouveau.",
    }
)
PAYMENT_NOT_STARTED: Final = Localized(
    {
        "en": "No payment was started for this order: check the cart out again.",
        "fr": "Aucun paiement n'a été commencé pour cette commande : validez de nouveau le panier.",
    }
)
PAYMENT_ELSEWHERE: Final = Localized(
    {
        "en": "This order was paid through a service the shop no longer uses: please contact the shop.",
        "fr": "Cette commande a été payée par un service que la boutique n'utilise plus : "
        "contactez la boutique.",
    }
)


def cart_full(most: int) -> Localized:
    """Why a design cannot be added: the cart holds as many different designs as it may."""
    return Localized(
        {
            "en": f"A cart holds at most {most} different designs.",
            "fr": f"Un panier contient au plus {most} créations différentes.",
        }
    )


def too_many_requests(wait: int) -> Localized:
    """Why a request is refused for now, and how long to wait."""
    return Localized(
        {
            "en": f"Too many requests in a short time; try again in {wait} seconds.",
            "fr": f"Trop de demandes en peu de temps : réessayez dans {wait} secondes.",
        }
    )


def no_delivery(shop: Localized) -> Localized:
    """Why a cart cannot be checked out to its address: the shop does not deliver to its country.

    >>> no_delivery(Localized({"en": "Northwind", "fr": "Northwind"})).get("fr")
    'Northwind ne livre pas dans ce pays : choisissez une autre adresse.'
    """
    return Localized(
        {
            "en": f"{shop.get('en')} does not deliver to this country; choose another address.",
            "fr": f"{shop.get('fr')} ne livre pas dans ce pays : choisissez une autre adresse.",
        }
    )


# The `title` of each problem, by its code: what happened, as a shopper would say it.
TITLES: Final[Mapping[str, Localized]] = {
    code: Localized({"en": en, "fr": fr})
    for code, en, fr in (
        ("bad-request", "This request could not be handled", "Cette demande n'a pas pu être traitée"),
        ("malformed-json", "This request could not be read", "Cette demande n'a pas pu être lue"),
        ("json-too-complex", "This request is too complex", "Cette demande est trop complexe"),
        ("validation-failed", "Some details need correcting", "Certaines informations sont à corriger"),
        ("not-found", "Not found", "Introuvable"),
        ("method-not-allowed", "This action is not possible here", "Cette action n'est pas possible ici"),
        ("internal-error", "Something went wrong on our side", "Un problème est survenu de notre côté"),
        ("catalog-not-published", "The shop is not open yet", "La boutique n'est pas encore ouverte"),
        ("product-not-found", "Product not found", "Produit introuvable"),
        ("unknown-attribute", "This product has no such option", "Ce produit n'a pas cette option"),
        ("invalid-pick", "Some choices are not available", "Certains choix ne sont pas disponibles"),
        ("unsupported-currency", "This currency is not offered", "Cette devise n'est pas proposée"),
        ("design-not-found", "Design not found", "Création introuvable"),
        ("cart-not-found", "Cart not found", "Panier introuvable"),
        (
            "cart-line-not-found",
            "This item is no longer in the cart",
            "Cet article n'est plus dans le panier",
        ),
        ("cart-closed", "This cart has already been ordered", "Ce panier a déjà été commandé"),
        (
            "cart-not-ready",
            "The cart cannot be checked out yet",
            "Le panier ne peut pas encore être commandé",
        ),
        (
            "design-invalid",
            "This design breaks the product's rules",
            "Cette création enfreint les règles du produit",
        ),
        (
            "client-price-refused",
            "Prices are worked out by the shop",
            "Les prix sont calculés par la boutique",
        ),
        ("order-not-found", "Order not found", "Commande introuvable"),
        ("payment-failed", "The payment did not go through", "Le paiement n'a pas abouti"),
        (
            "origin-not-allowed",
            "This site may not sell these products",
            "Ce site ne peut pas vendre ces produits",
        ),
        (
            "rate-limited",
            "Too many requests: please wait a moment",
            "Trop de demandes : patientez un instant",
        ),
        ("upload-not-found", "Image not found", "Image introuvable"),
        ("upload-too-large", "This image is too large", "Cette image est trop volumineuse"),
        (
            "unsupported-image",
            "This kind of image is not supported",
            "Ce type d'image n'est pas pris en charge",
        ),
        ("image-unreadable", "This image could not be read", "Cette image n'a pas pu être lue"),
        ("image-too-large", "This image is too large", "Cette image est trop grande"),
        ("request-too-large", "This request is too large", "Cette demande est trop volumineuse"),
        ("uri-too-long", "This address is too long", "Cette adresse est trop longue"),
        ("headers-too-large", "This request is too large", "Cette demande est trop volumineuse"),
        ("preview-unavailable", "The preview is not available", "L'aperçu n'est pas disponible"),
        ("consent-required", "Your consent is needed first", "Votre accord est d'abord nécessaire"),
        ("not-your-design", "Only your own designs", "Seulement vos propres créations"),
        ("already-in-gallery", "Already in the gallery", "Déjà dans la galerie"),
        (
            "gallery-entry-not-found",
            "Design not found in the gallery",
            "Création introuvable dans la galerie",
        ),
        ("idea-not-found", "Idea not found", "Idée introuvable"),
        ("campaign-not-found", "Campaign not found", "Campagne introuvable"),
        ("campaign-not-open", "The campaign is not open", "La campagne n'est pas ouverte"),
        ("edition-full", "Not enough pieces left", "Plus assez de pièces"),
    )
}


_ANY_REFUSAL: Final = Localized(
    {"en": "This request could not be handled", "fr": "Cette demande n'a pas pu être traitée"}
)


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
