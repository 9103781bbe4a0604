"""Countries: the ISO 3166-1 alpha-2 codes, their names in every language, and the code meant by a
near miss ("UK" for GB, "FRA" or "France" for FR), from the CLDR data Babel ships.

Shipping zones, tax rates and shoppers' addresses name countries by these codes; a code that is not
one (UK) would silently fall to the rest of the world, with its shipping and tax.

Kosovo (XK) is a country here although ISO 3166-1 assigns it no code: XK is a user-assigned code, yet
it is the one CLDR, the European Commission, SWIFT, carriers and payment providers (Stripe, PayPal,
Adyen) use, and no other code exists. Refusing it would leave shoppers in Kosovo no address at all
(RS is no answer: it sends their parcels and tax to Serbia), while accepting it costs nothing: a brand
names XK in its zones and rates like any country, and an address there otherwise falls to "*".

>>> is_country("GB"), is_country("UK"), is_country("gb"), is_country("XK")
(True, False, False, True)
>>> meant("UK"), meant("fra"), meant("Germany"), meant("YU")
(('GB',), ('FR',), ('DE',), ('ME', 'RS'))
>>> country_name("DE", "fr")
'Allemagne'
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.core import get_global

# CLDR names some territories ISO 3166-1 does not assign: continents and groups (EU, EZ, UN, QO),
# exceptionally reserved or user-assigned codes (Ascension AC, Clipperton CP, Sark CQ, Diego Garcia
# DG, Ceuta and Melilla EA, the Canary Islands IC, Tristan da Cunha TA), pseudo-locales (XA, XB) and
# "unknown" (ZZ). An address in one of them carries the code of the country it is in (the Canary
# Islands are ES, and ES-CN as a region). Kosovo's XK is the exception (see above).
_NOT_ISO: Final = frozenset("AC CP CQ DG EA EU EZ IC QO TA UN XA XB ZZ".split())


@cache
def countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (249 of them), and Kosovo's XK."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code
        for code in codes
        if len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_ISO
    )


def is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 code, written as ISO writes it (upper case)."""
    return code in countries()


def country_refusal(value: object) -> str | None:
    """Why `value` is no country code, for integrators (naming the code meant), else None.

    >>> country_refusal("UK"), country_refusal("GB")
    ("Not an ISO 3166-1 alpha-2 country code: 'UK'; did you mean GB?", None)
    """
    if isinstance(value, str) and is_country(value):
        return None
    found = meant(value) if isinstance(value, str) else ()
    guess = f"; did you mean {' or '.join(found)}?" if found else ""
    return f"Not an ISO 3166-1 alpha-2 country code: {value!r}{guess}"


def country_name(code: str, locale: str = "en") -> str:
    """The country's name in `locale` (English for a language CLDR does not know), else the code."""
    try:
        names = Locale.parse(locale.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    return str(names.get(code) or code)


@cache
def _by_name() -> dict[str, str]:
    """Countries by their English name, folded: "united kingdom" -> GB."""
    names = Locale("en").territories
    return {str(names[code]).casefold(): code for code in countries() if code in names}


def meant(written: str) -> tuple[str, ...]:
    """The countries someone who wrote `written` most likely meant, in code order: the code in
    capitals (gb), the code replacing a former or unofficial one (UK, an alpha-3 code such as FRA, a
    numeric one such as 250), the country of that English name, or of a close one (Frnace). Empty
    when nothing is close, or when `written` is a country already."""
    if is_country(written):
        return ()
    text = written.strip()
    upper = text.upper()
    if is_country(upper):
        return (upper,)
    aliases: Mapping[str, Sequence[str]] = get_global("territory_aliases")
    replaced = tuple(sorted(code for code in aliases.get(upper, ()) if is_country(code)))
    if replaced:
        return replaced
    by_name = _by_name()
    folded = text.casefold()
    if folded in by_name:
        return (by_name[folded],)
    if len(folded) > 3:
        close = difflib.get_close_matches(folded, list(by_name), n=1, cutoff=0.8)
        if close:
            return (by_name[close[0]],)
    return ()
