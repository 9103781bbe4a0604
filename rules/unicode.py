"""One Unicode version for every rule about text: character properties and normalisation from
`unicodedata2`, segmentation and script properties from `regex`, both pinned (pyproject.toml) to
releases built on the same Unicode version, which a test checks code point by code point.

Python's own `unicodedata` is frozen with the interpreter (Unicode 14.0 in Python 3.11) while
`regex` follows Unicode: with both, a letter newer than Python's database was one thing to the
script rules and nothing to NFKC and the banned-word folding. Here there is one answer.

The confusable skeleton (TR39's confusables.txt, as the confusable-homoglyphs package ships it) is
older: a character added since has no skeleton of its own and is read through NFKC and casefolding
alone (see `rules.text`).
"""

from __future__ import annotations

from typing import Literal

import unicodedata2

UNICODE_VERSION: str = str(unicodedata2.unidata_version)

NormalForm = Literal["NFC", "NFD", "NFKC", "NFKD"]


def normalize(form: NormalForm, text: str) -> str:
    return str(unicodedata2.normalize(form, text))


def category(char: str) -> str:
    """The General_Category of one code point ("Lu", "Mn", "Cn" for unassigned...)."""
    return str(unicodedata2.category(char))


def name(char: str, default: str | None = None) -> str | None:
    found = unicodedata2.name(char, default)
    return None if found is None else str(found)
