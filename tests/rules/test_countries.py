"""Countries are ISO 3166-1 alpha-2 codes from CLDR, and a near miss names the country meant."""

from __future__ import annotations

import pytest

from rules.countries import countries, country_name, is_country, meant


def test_the_codes_are_iso_3166_1_alpha_2() -> None:
    codes = countries()
    assert len(codes) == 250  # every officially assigned code, and Kosovo's
    assert {"FR", "GB", "DE", "US", "MC", "AX", "SS"} <= codes
    # CLDR's groups and codes ISO does not assign are no country of an address
    assert not {"UK", "EU", "UN", "ZZ", "IC", "EA", "001"} & codes


def test_kosovo_is_a_country_by_the_code_payment_providers_and_carriers_use() -> None:
    # XK is user-assigned, not ISO's; still the only code Kosovo has, so an address there needs it
    assert is_country("XK")
    assert (country_name("XK"), country_name("XK", "fr"), country_name("XK", "de")) == ("Kosovo",) * 3
    assert meant("Kosovo") == ("XK",)


@pytest.mark.parametrize(
    ("written", "countries_meant"),
    [
        ("UK", ("GB",)),  # reserved by ISO for the United Kingdom's own use, not its code
        ("gb", ("GB",)),
        (" FR", ("FR",)),
        ("FRA", ("FR",)),  # alpha-3
        ("276", ("DE",)),  # numeric
        ("Germany", ("DE",)),
        ("united kingdom", ("GB",)),
        ("Frnace", ("FR",)),
        ("YU", ("ME", "RS")),  # a code withdrawn, now two countries
        ("EN", ()),
        ("GB", ()),  # a country already
        ("", ()),
    ],
)
def test_a_near_miss_names_the_country_meant(written: str, countries_meant: tuple[str, ...]) -> None:
    assert meant(written) == countries_meant
    assert all(is_country(code) for code in countries_meant)


def test_names_are_in_the_language_asked() -> None:
    assert (country_name("GB"), country_name("GB", "fr"), country_name("GB", "de")) == (
        "United Kingdom",
        "Royaume-Uni",
        "Vereinigtes Königreich",
    )
    assert country_name("GB", "fr-CA") == "Royaume-Uni"
    assert country_name("GB", "zz") == "United Kingdom"
