"""Every rule about text reads one Unicode version: the properties and normalisation of
`rules.unicode` and the segmentation and script properties of `regex` agree on every code point."""

from __future__ import annotations

import regex

from rules import unicode

UNASSIGNED = regex.compile(r"\p{Cn}")


def test_properties_and_segmentation_agree_on_which_code_points_exist() -> None:
    disagree = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if (unicode.category(chr(code)) == "Cn") != bool(UNASSIGNED.match(chr(code)))
    ]
    assert disagree == [], f"regex and Unicode {unicode.UNICODE_VERSION} disagree on {disagree[:10]}"


def test_the_version_is_newer_than_pythons_own() -> None:
    import unicodedata

    assert tuple(map(int, unicode.UNICODE_VERSION.split("."))) >= tuple(
        map(int, unicodedata.unidata_version.split("."))
    )
