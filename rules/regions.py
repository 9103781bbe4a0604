"""Regions: the ISO 3166-2 subdivisions of countries (US-CA, CA-ON, ES-CN), their names, and the code
meant by a near miss ("CA" in the US, "California", "US-Cal"), from pycountry's copy of Debian's
iso-codes (the ISO 3166 Maintenance Agency's list, kept current by its maintainers).

A brand's tax rates may name regions beside countries; a shopper's address names its region by
code. Some regions sit inside others (the province of Santa Cruz de Tenerife, ES-TF, is in the
Canary Islands, ES-CN), so a rate for a region covers the regions inside it.

>>> is_region("US-CA"), is_region("US-ZZ"), is_region("us-ca"), region_country("ES-TF")
(True, False, False, 'ES')
>>> region_name("ES-CN"), region_name("ES-CN", "fr"), region_name("US-CA", "de")
('Canarias', 'Canaries', 'Kalifornien')
>>> enclosing("ES-TF")
('ES-TF', 'ES-CN')
>>> meant_region("CA", "US"), meant_region("California"), meant_region("US-Cal"), meant_region("ca-on")
(('US-CA',), ('US-CA',), ('US-CA',), ('CA-ON',))
>>> meant_region("UK-ENG")
('GB-ENG',)
"""

from __future__ import annotations

import difflib
import gettext
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

import pycountry

from rules.countries import meant

# How ISO 3166-2 writes a code: the country's alpha-2 code, a hyphen, one to three letters or digits.
REGION_PATTERN: Final = r"^[A-Z]{2}-[A-Z0-9]{1,3}$"
_SEPARATORS: Final = re.compile(r"[\s_.:/-]+")
_PREFIXED: Final = re.compile(r"([A-Za-z]{2})[\s_.:/-]+(.+)")


@dataclass(frozen=True)
class Region:
    """One ISO 3166-2 subdivision."""

    code: str  # "ES-TF"
    country: str  # "ES"
    name: str  # in English, or the local name ISO gives (Canarias)
    kind: str  # "Province", "State"…
    parent: str | None  # the region it lies in ("ES-CN"), None at the top


@cache
def _regions() -> dict[str, Region]:
    found: dict[str, Region] = {}
    for item in pycountry.subdivisions:
        parent = getattr(item, "parent_code", None)
        found[item.code] = Region(item.code, item.country_code, item.name, item.type, parent)
    return found


@cache
def _by_country() -> dict[str, tuple[Region, ...]]:
    grouped: dict[str, list[Region]] = defaultdict(list)
    for region in _regions().values():
        grouped[region.country].append(region)
    return {country: tuple(sorted(found, key=lambda r: r.code)) for country, found in grouped.items()}


def divided_countries() -> frozenset[str]:
    """The countries ISO divides into regions."""
    return frozenset(_by_country())


def is_region(code: str) -> bool:
    """Whether `code` is an ISO 3166-2 subdivision code, written as ISO writes it (upper case)."""
    return code in _regions()


def region(code: str) -> Region | None:
    """The subdivision of this code, else None."""
    return _regions().get(code)


def region_country(code: str) -> str:
    """The country part of a region code (US for US-CA), whether or not the region exists."""
    return code.split("-", 1)[0]


def regions_of(country: str) -> tuple[Region, ...]:
    """Every subdivision of a country, in code order (none for a country ISO does not divide)."""
    return _by_country().get(country, ())


def offered_regions(country: str, named: Iterable[str] = ()) -> tuple[Region, ...]:
    """The subdivisions a shopper picks from: the country's top level (the states of the US, the
    autonomous communities of Spain), and every subdivision of a kind a brand names in `named` (a
    rate for ES-TF offers Spain's provinces too), in code order."""
    kinds = {found.kind for code in named if (found := region(code)) is not None and found.parent}
    return tuple(r for r in regions_of(country) if r.parent is None or r.kind in kinds)


def enclosing(code: str) -> tuple[str, ...]:
    """The region and those it lies in, innermost first: ES-TF, then ES-CN."""
    chain: list[str] = []
    current = region(code)
    while current is not None and current.code not in chain:
        chain.append(current.code)
        current = region(current.parent) if current.parent else None
    return tuple(chain)


@cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def region_name(code: str, locale: str = "en") -> str:
    """The region's name in `locale` where iso-codes translates it, else as ISO writes it; else the code."""
    found = region(code)
    if found is None:
        return code
    language = locale.replace("_", "-").split("-")[0].lower()
    if language == "en":
        return found.name
    return _translations(language).gettext(found.name)


def _fold(text: str) -> str:
    """A name as people type it: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").split())


@cache
def _names(country: str | None) -> dict[str, tuple[str, ...]]:
    """Regions by folded name (English and ISO's), within a country or everywhere."""
    grouped: dict[str, set[str]] = defaultdict(set)
    pool = regions_of(country) if country else tuple(_regions().values())
    for found in pool:
        grouped[_fold(found.name)].add(found.code)
        # "California" for "US-CA"; ISO writes a few names with a qualifier: "Bruxelles-Capitale, Région de"
        grouped[_fold(found.name.split(",")[0])].add(found.code)
    return {name: tuple(sorted(codes)) for name, codes in grouped.items()}


def meant_region(written: str, country: str | None = None) -> tuple[str, ...]:
    """The regions someone who wrote `written` most likely meant, in code order: the code in capitals
    (us-ca, "US CA"), the code of the address's `country` with the part after the hyphen (CA in the
    US), the region of that name (California, Île-de-France), or of a name it begins (US-Cal) or,
    within a country, closely spells (Californa). Empty when nothing is close, or when `written` is a
    region already."""
    if is_region(written):
        return ()
    text = written.strip()
    parts = [part for part in _SEPARATORS.split(text.upper()) if part]
    if len(parts) == 2 and is_region("-".join(parts)):
        return ("-".join(parts),)
    if len(parts) == 2:
        # UK-ENG: the country written as people say it, the region right
        renamed = tuple(f"{code}-{parts[1]}" for code in meant(parts[0]) if is_region(f"{code}-{parts[1]}"))
        if renamed:
            return renamed
    if country and len(parts) == 1 and is_region(f"{country}-{parts[0]}"):
        return (f"{country}-{parts[0]}",)
    # "US-Cal": a country's code, then the start of a name
    within, name = country, text
    prefixed = _PREFIXED.match(text)
    if prefixed and regions_of(prefixed[1].upper()):
        within, name = prefixed[1].upper(), prefixed[2]
    names = _names(within)
    folded = _fold(name)
    if not folded:
        return ()
    if folded in names:
        return names[folded]
    if len(folded) >= 3:
        starting = {code for known, codes in names.items() if known.startswith(folded) for code in codes}
        if len(starting) == 1:
            return tuple(starting)
        # Among every country's five thousand names, a close spelling is more often another place
        # (Narnia, Nara) than a typo: only within a country.
        close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.8) if within else []
        if close:
            return names[close[0]]
    return ()
