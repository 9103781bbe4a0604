"""Messages in every language the software speaks, from gettext catalogs.

Each layer keeps its catalog (a gettext *domain*) beside its code: the engine's messages in
`rules/locales/<language>/LC_MESSAGES/rules.po`, the application's in `configurator/translations`, the
storefront's in `storefront/translations`. The English text is the message id, so English needs no
catalog. `make messages` extracts the ids from the code into the `.pot` template and merges them into
each `.po`; `make catalogs` compiles the `.mo` files read here (a missing `.mo` reads as English).

A `Catalogs` turns one message into a `Localized` holding it in every language at once: the engine
does not know the shopper's language, the layer that answers picks it (`Localized.get`). Parameters
are named (`{limit}`), so translators may move them; a `Localized` parameter is read in the same
language, and a number is written the way the language writes it (CLDR, through Babel).

`make messages` finds the messages as the literal first arguments of `localized(...)` and
`localized_plural(...)` (singular and plural), whatever object they are called on.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from functools import cache
from pathlib import Path
from typing import Final, Literal

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

from rules.model import DEFAULT_LOCALE, Localized

# The languages the software's own texts exist in. A shop may sell in more (its labels are the
# merchant's); our messages then read in English there.
LANGUAGES: Final = (DEFAULT_LOCALE, "fr", "de")


@dataclass(frozen=True)
class Percent:
    """A rate in percent as a message parameter: "20%" in English, "20 %" in French and German."""

    value: Decimal


@dataclass(frozen=True)
class Amount:
    """An amount of money as a message parameter: "€12.50" in English, "12,50 €" in French (CLDR)."""

    value: Decimal
    currency: str


Param = str | int | Decimal | Localized | Percent | Amount
ListStyle = Literal["standard", "or"]
_WRITING: Final = Context(prec=60)


class Catalogs:
    """The compiled catalogs of one domain, e.g. `Catalogs(Path("rules/locales"), "rules")`."""

    def __init__(self, directory: Path, domain: str, languages: tuple[str, ...] = LANGUAGES) -> None:
        self.directory = directory
        self.domain = domain
        self.languages = languages

    def translations(self, language: str) -> gettext.NullTranslations:
        return _load(self.directory, self.domain, language)

    def gettext(self, language: str, message: str) -> str:
        return self.translations(language).gettext(message)

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        return self.translations(language).ngettext(singular, plural, n)

    def localized(self, message: str, **params: Param) -> Localized:
        """`message` in every language, its `{name}` parameters filled in. A language only a
        `Localized` parameter has (a merchant's label in Spanish) gets the English message with that
        parameter in its language."""
        return Localized(
            {
                language: _fill(self.gettext(language, message), params, language)
                for language in _languages(self.languages, params.values())
            }
        )

    def localized_plural(self, singular: str, plural: str, n: int, **params: Param) -> Localized:
        """The form of `singular`/`plural` each language uses for `n` (given to the texts as `{n}`)."""
        return Localized(
            {
                language: _fill(self.ngettext(language, singular, plural, n), {"n": n, **params}, language)
                for language in _languages(self.languages, params.values())
            }
        )


def listed(
    items: Sequence[Param], style: ListStyle = "standard", languages: tuple[str, ...] = ()
) -> Localized:
    """Items joined the way each language lists them: "a, b and c", "a, b et c", "a, b und c"
    (`style="or"`: "a or b", "a ou b", "a oder b").

    >>> listed(["A", "B", "C"], "or").get("de")
    'A, B oder C'
    """
    return Localized(
        {
            language: format_list(
                [spoken(item, language) for item in items], style=style, locale=cldr_locale(language)
            )
            for language in _languages(languages or LANGUAGES, items)
        }
    )


def capitalized(text: Localized) -> Localized:
    """Each language's text with its first letter upper case (a parameter that opens a sentence)."""
    return Localized({language: value[:1].upper() + value[1:] for language, value in text.texts.items()})


def _languages(ours: tuple[str, ...], params: Iterable[object]) -> tuple[str, ...]:
    extra = [
        language
        for param in params
        if isinstance(param, Localized)
        for language in param.texts
        if language not in ours
    ]
    return ours + tuple(dict.fromkeys(extra)) if extra else ours


@cache
def _load(directory: Path, domain: str, language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LOCALE:
        return NullTranslations()
    # `Translations.load` answers NullTranslations when the compiled catalog is missing.
    return Translations.load(str(directory), [language], domain)


def _fill(text: str, params: Mapping[str, Param], language: str) -> str:
    if not params:
        return text
    return text.format_map({name: spoken(value, language) for name, value in params.items()})


def spoken(value: Param, language: str) -> str:
    """A parameter as `language` writes it: numbers grouped and with its decimal sign (CLDR).

    >>> spoken(Decimal("1234.5"), "de"), spoken(1234, "en"), spoken("1234", "fr")
    ('1.234,5', '1,234', '1234')
    >>> spoken(Amount(Decimal("12.5"), "EUR"), "fr"), spoken(Percent(Decimal("20")), "en")
    ('12,50\xa0€', '20%')
    """
    if isinstance(value, Localized):
        return value.get(language)
    if isinstance(value, bool) or not isinstance(value, Percent | Amount | int | Decimal):
        return str(value)
    # Babel computes with the current decimal context: the caller's (a low precision, traps) must not
    # change how a number is written.
    with localcontext(_WRITING):
        if isinstance(value, Percent):
            return format_percent(value.value / 100, locale=cldr_locale(language), decimal_quantization=False)
        if isinstance(value, Amount):
            return format_currency(value.value, value.currency, locale=cldr_locale(language))
        return format_decimal(value, locale=cldr_locale(language), decimal_quantization=False)


@cache
def cldr_locale(language: str) -> str:
    """A BCP 47 tag ("fr-CA") as Babel names the locale ("fr_CA"); an unknown one reads as English."""
    tag = language.replace("-", "_")
    try:
        Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LOCALE
    return tag


def direction(locale: str) -> str:
    """`rtl` for a language written right to left (CLDR), else `ltr`: the page's `dir`.

    >>> direction("ar"), direction("fr-CA"), direction("xx")
    ('rtl', 'ltr', 'ltr')
    """
    try:
        order = Locale.parse(locale.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


RULES: Final = Catalogs(Path(__file__).parent / "locales", "rules")
