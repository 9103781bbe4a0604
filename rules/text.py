"""Text policy: what a shopper may type into a text attribute (an engraving, a name on a cake).

Lengths are extended grapheme clusters (UAX #29): "é" written as e + combining accent, a flag, or a
family emoji joined by zero-width joiners each count as one character, as a shopper counts them.

`check_text` answers every problem at once, each with a message in English and French. Its rules:

* Length: at most `max_length` graphemes (the stricter of the attribute's and the brand's); a line
  break counts as one. A text with more than `MAX_CODE_POINTS_PER_GRAPHEME` code points per allowed
  grapheme is refused as too long before it is even segmented, so a megabyte costs nothing.
* Lines: at most `max_lines`; \\n, \\r\\n, \\r, U+2028 and U+2029 break lines.
* Characters (the script rule). A grapheme is accepted when
    1. it is listed in `characters` (compared in NFC, variation selectors ignored), or
    2. it is a letter of an allowed script (Unicode Script property; a Common letter such as the
       Japanese "ー" counts for the scripts in its Script_Extensions), with any combining marks of
       that script or of no particular script (Inherited); with no scripts configured any letter is, or
    3. `characters` is not given and it is a digit, space, punctuation mark, symbol or emoji that
       belongs to no particular script (Common/Inherited) or to an allowed one.
  So once a merchant lists `characters`, that list is the whole of what is allowed besides letters:
  digits, spaces and emoji too must be listed. Refused letters are `script_not_allowed`, anything
  else `character_not_allowed`; each distinct refused grapheme is reported once, at its first place.
* Never accepted: control characters (other than line breaks), bidi embeddings, overrides, isolates
  and marks, private-use code points, lone surrogates and code points unassigned in the Unicode
  version every rule here reads (`rules.unicode`; `unusable_characters`: NFKC and the folding below
  cannot vouch for a character they do not know), more than
  `MAX_MARKS_PER_GRAPHEME` combining marks on one letter ("zalgo"), and invisible characters
  (zero-width spaces, soft hyphens, fillers...) with three exceptions that writing needs: the
  zero-width joiner inside an emoji sequence (and tag characters in a flag like England's), variation
  selectors attached to a character, and ZWJ/ZWNJ between two letters of scripts that use them to
  spell words (Arabic, Persian, the Indic scripts...). Latin, Greek and Cyrillic never need them,
  which is where they would hide a word.
* Banned words (the brand's). The text is folded grapheme by grapheme (`normalise_for_matching`:
  NFKC, casefold, TR39 confusable skeleton completed by `LATIN_LOOKALIKES`, invisibles and stray
  marks dropped; a capital that TR39 reads as an ASCII capital, as the Cyrillic "Т" and the Greek "Η",
  is read as that capital whatever its lower case looks like)
  into words, and each banned word is looked for with this false-positive policy:
    1. Whole words, any length: the banned word's words appear as whole consecutive words of the
       text. "ass" matches "ass" and "Ass!" but not "class", "Cassandra" or "assistant"; a banned
       word is never matched inside a longer word ("therapist" never trips "rapist").
    2. Joined, against spacing and punctuation tricks: the banned word's letters across several
       consecutive whole words ("c.o.m.p.e.t.i.t.o.r.c.o", "Competitor Co", "Compe-titorCo"), when
       it is at least `MIN_JOINED_LENGTH` letters long or the text spells it one letter at a time
       ("a.s.s"). The known price: two real words that join into a long banned word ("pen is" for
       "penis") are refused.
    3. Leetspeak: inside a word, a digit or symbol may stand for the letter it imitates (0 o, 1 i
       or l, 3 e, 4 a, 5 s, 7 t, @ a, $ s), and an l for an i (they look alike in capitals), so
       "stup1d", "4ss" and "@$$" match. A number of two digits or more standing alone is never
       letters ("455", "Route A 55"), and a match written only with digits is never a word.
    4. A digit next to a word ends it, as a space would: "Stupid1" and "2stupid" match. The known
       price: a leetspeak word that starts with a banned one ("Ass0ciates") is refused.
    5. Repeats: each letter may be repeated ("stuuupid", "a.s.s.s") but never dropped: banning
       "ass" does not refuse "as". Runs longer than `MAX_REPEAT` read as `MAX_REPEAT` long.
  Banned words themselves are folded the same way ("b1tch" bans "bitch"); a banned word made only
  of digits ("1488") is a number, matched as written. The refusal quotes the text as typed and
  where it starts, never the banned word: the list is the shop's, not the shopper's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from importlib.resources import files
from typing import Final

import regex

from rules import unicode as unicodedata
from rules.i18n import RULES, Param, capitalized, listed
from rules.model import Brand, Localized, TextLimits

__all__ = [
    "LATIN_LOOKALIKES",
    "MAX_CODE_POINTS_PER_GRAPHEME",
    "MAX_MARKS_PER_GRAPHEME",
    "MAX_REPEAT",
    "MIN_JOINED_LENGTH",
    "TextProblem",
    "TextProblemCode",
    "check_text",
    "describe_character",
    "grapheme_length",
    "graphemes",
    "is_known_script",
    "normalise_for_matching",
    "unusable_character_message",
    "unusable_characters",
]

MAX_CODE_POINTS_PER_GRAPHEME: Final = 16  # the longest emoji sequence in use has 10
MAX_MARKS_PER_GRAPHEME: Final = 5  # Vietnamese, Hebrew and Tibetan stay below; zalgo does not
MIN_JOINED_LENGTH: Final = 5  # shorter banned words only match as whole words (or spelled out)
MAX_REPEAT: Final = 3  # a letter repeated more often reads as repeated this often ("stuuuuupid")

LINE_BREAKS: Final = frozenset({"\r\n", "\n", "\r", "\u2028", "\u2029"})

_GRAPHEME = regex.compile(r"\X")
_LETTER = regex.compile(r"\p{L}")
_MARK = regex.compile(r"\p{M}")
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}]")
_NO_SCRIPT = regex.compile(r"[\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]")
# Letters that belong to no script even through Script_Extensions (most Common letters have some).
_SCRIPTLESS = regex.compile(r"[\p{scx=Common}\p{scx=Inherited}\p{scx=Unknown}]")
_BLANK = regex.compile(r"[\p{Z}\p{C}\p{Default_Ignorable_Code_Point}]")
_BLANK_RUN = regex.compile(r"[\p{Z}\p{C}\p{Default_Ignorable_Code_Point}\s]+")
_SPACE = regex.compile(r"\p{Zs}")
_INHERITED_MARK = regex.compile(r"[\p{Script=Inherited}&&\p{M}]", flags=regex.V1)
_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_FORMAT = regex.compile(r"[\p{Cf}\p{Default_Ignorable_Code_Point}]")
_CONTROL = regex.compile(r"\p{Cc}")
_UNSUPPORTED = regex.compile(r"[\p{Cs}\p{Co}\p{Cn}]")
_COUNTED_MARK = regex.compile(r"[\p{Mn}\p{Me}]")
_EMOJI_BEFORE_ZWJ = regex.compile(r"\p{Extended_Pictographic}\p{Grapheme_Cluster_Break=Extend}*\Z")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")

ZWJ: Final = "\u200d"
ZWNJ: Final = "\u200c"
_BIDI_CONTROLS: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BLACK_FLAG: Final = "\U0001f3f4"


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or code in (0x180B, 0x180C, 0x180D, 0x180F)


def _is_tag(char: str) -> bool:
    return 0xE0020 <= ord(char) <= 0xE007F


# Scripts whose spelling uses ZWJ/ZWNJ between letters (Persian "می‌خواهم", Malayalam chillus...).
_JOINING_SCRIPTS: Final = (
    "Arabic", "Syriac", "Nko", "Mongolian", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya",
    "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Khmer", "Myanmar", "Tibetan",
)  # fmt: skip
_JOINING_LETTER = regex.compile(
    "[" + "".join(rf"\p{{scx={name}}}" for name in _JOINING_SCRIPTS) + r"]", flags=regex.V1
)


class TextProblemCode(StrEnum):
    """Stable machine-readable codes of text problems (the messages may change, these do not)."""

    TOO_LONG = "too_long"
    TOO_MANY_LINES = "too_many_lines"
    SCRIPT_NOT_ALLOWED = "script_not_allowed"
    CHARACTER_NOT_ALLOWED = "character_not_allowed"
    CONTROL_CHARACTER = "control_character"
    BIDI_CONTROL = "bidi_control"
    INVISIBLE_CHARACTER = "invisible_character"
    UNSUPPORTED_CHARACTER = "unsupported_character"
    TOO_MANY_MARKS = "too_many_marks"
    BANNED_WORD = "banned_word"


@dataclass(frozen=True)
class TextProblem:
    """One reason a text is refused, with a message for the shopper and the data behind it.

    `position` is the 0-based index, in graphemes, of the first offending grapheme; `grapheme` the
    offending grapheme as typed; `word` the offending span as typed (banned words); `limit` and
    `actual` the numbers a length or line check compared (`actual` None when refused unmeasured);
    `detail` the technical reason for integrators, never shown to shoppers (the code point of a
    character the message only describes in words).
    """

    code: TextProblemCode
    message: Localized
    position: int | None = None
    grapheme: str | None = None
    word: str | None = None
    limit: int | None = None
    actual: int | None = None
    detail: str | None = None


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text` (UAX #29), in order.

    >>> graphemes("🇫🇷 ok")
    ['🇫🇷', ' ', 'o', 'k']
    """
    return _GRAPHEME.findall(text)


def grapheme_length(text: str) -> int:
    """How many characters a person counts in `text`: extended grapheme clusters (UAX #29).

    >>> grapheme_length("cafe\\u0301"), grapheme_length("👩‍👩‍👧"), grapheme_length("🇫🇷")
    (4, 1, 1)
    """
    return sum(1 for _ in _GRAPHEME.finditer(text))


def unusable_characters(text: str) -> list[tuple[int, str]]:
    """The code points no text may hold, with their index in `text`: lone surrogates (JSON can write
    them, UTF-8 and so no database can store them) and code points unassigned in the one Unicode
    version every text rule reads (`rules.unicode`), which normalisation and banned-word folding
    rely on.

    >>> unusable_characters("ok"), unusable_characters("a\\ud83db\\u0378")
    ([], [(1, '\\ud83d'), (3, '\\u0378')])
    """
    if text.isascii():
        return []
    unusable = {char for char in set(text) if _is_unusable(char)}
    if not unusable:
        return []
    return [(index, char) for index, char in enumerate(text) if char in unusable]


def unusable_character_message(text: str, index: int, label: Localized | None = None) -> Localized:
    """What a shopper reads about a character no text may hold, `text[index]`: said in words and placed
    by the text around it (its code point is for integrators: `describe_character`).

    >>> unusable_character_message("Anna\\ud83dBen", 4).get("en")
    'This text contains a character we cannot print after “Anna”; remove it.'
    """
    kind = _char_class(text[index])
    code = kind if isinstance(kind, TextProblemCode) else TextProblemCode.UNSUPPORTED_CHARACTER
    return _Words(label).hard(code, text[index], _where(text, index))


def describe_character(char: str) -> str:
    """A code point as integrators read it: its number and name, or why it has none.

    >>> describe_character("\\u200b"), describe_character("\\ud83d"), describe_character("\\u0378")[:25]
    ('U+200B ZERO WIDTH SPACE', 'U+D83D (a lone surrogate)', 'U+0378 (unassigned in Uni')
    """
    code = f"U+{ord(char):04X}"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"{code} (a lone surrogate)"
    category = unicodedata.category(char)
    if category == "Cn":
        return f"{code} (unassigned in Unicode {unicodedata.UNICODE_VERSION})"
    if category == "Co":
        return f"{code} (private use)"
    return _name(char)


def normalise_for_matching(text: str) -> str:
    """The form banned words are compared in: NFKC, casefold, confusable skeleton, invisibles dropped.

    The skeleton is TR39's, completed by `LATIN_LOOKALIKES`. Accents and other marks that belong to no
    particular script are dropped too, so "ćompetitorco" is "competitorco". The result is for
    comparing, never for showing: the skeleton maps "m" to "rn".

    >>> normalise_for_matching("ＣоmрetіtorСо") == normalise_for_matching("competitorco")
    True
    >>> normalise_for_matching("sτυpіd"), normalise_for_matching("ΤΗΕ ΒΟΧ")
    ('stupid', 'the box')
    """
    return "".join(_fold(grapheme) for grapheme in graphemes(text))


def is_known_script(name: str) -> bool:
    """Whether `name` is a Unicode script the text policy understands ("Latin", "Cyrillic", "Han"...)."""
    return _script_class((name,)) is not None


def check_text(
    text: str, limits: TextLimits, brand: Brand, *, label: Localized | None = None
) -> list[TextProblem]:
    """Every problem with `text` under the attribute's limits and the brand's policy; [] when it is fine.

    `label` (the attribute's) makes messages name the field: "Engraving is too long...". The rules
    and the banned-word policy are in this module's docstring.
    """
    max_length = limits.max_length
    if brand.max_text_length is not None:
        max_length = min(max_length, brand.max_text_length)
    words = _Words(label)
    if len(text) > max(max_length, 1) * MAX_CODE_POINTS_PER_GRAPHEME:
        # Decided on code points alone: segmenting and folding a huge text is the expensive part.
        return [TextProblem(TextProblemCode.TOO_LONG, words.too_long(max_length, None), limit=max_length)]

    parts = graphemes(text)
    problems: list[TextProblem] = []
    if len(parts) > max_length:
        problems.append(
            TextProblem(
                TextProblemCode.TOO_LONG,
                words.too_long(max_length, len(parts)),
                limit=max_length,
                actual=len(parts),
            )
        )
    lines = 1 + sum(1 for part in parts if part in LINE_BREAKS)
    if lines > limits.max_lines:
        problems.append(
            TextProblem(
                TextProblemCode.TOO_MANY_LINES,
                words.too_many_lines(limits.max_lines, lines),
                limit=limits.max_lines,
                actual=lines,
            )
        )
    policy = _policy(tuple(limits.scripts), tuple(brand.scripts), limits.characters)
    problems.extend(policy.check(parts, words))
    problems.extend(_banned(parts, brand.banned_words, words))
    return problems


# --- confusable skeleton ------------------------------------------------------------------------

# Letters that read as an ASCII letter but that TR39 (Unicode's confusables.txt, as shipped by the
# confusable-homoglyphs package) maps elsewhere or not at all. TR39 is a visual-identity standard in
# one case: it maps the Cyrillic "т" and the Greek "τ" to the small capital "ᴛ", the Greek "χ" to
# itself, "к" and "κ" to the kra "ĸ". Shoppers who spell around a banned word read "sтupid" as
# "stupid", so these letters fold to the ASCII letter they stand in for. Keys are in casefolded form
# (capitals reach them through casefolding, "Т" "Х" "Ш" alike); each value is one ASCII letter or
# digit. Characters TR39 maps to a key (the mathematical "𝛕", the Cyrillic "ҭ" through "ᴛ"...) follow.
# Left out on purpose, since no reader takes them for a Latin letter: "д ж л ф ч э ю я", "δ ζ λ ξ φ
# ψ" and the like, so that a genuine Cyrillic or Greek word ("Мария", "Ελένη") keeps letters no ASCII
# banned word can match. (TR39 itself already reads "γ" as y and "θ" as o.)
LATIN_LOOKALIKES: Final[dict[str, str]] = {
    # Latin small capitals and letters TR39 keeps apart from the ASCII letters they print as.
    "ᴀ": "a", "ʙ": "b", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ᴊ": "j",
    "ĸ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴘ": "p", "ʀ": "r", "ᴛ": "t", "ƅ": "b", "ɜ": "3",
    # Cyrillic lower case: small-capital shapes, and italic or handwritten shapes of Latin letters.
    "в": "b", "з": "3", "и": "u", "к": "k", "м": "m", "ӎ": "m", "н": "h", "п": "n", "т": "t",
    "ц": "u", "ш": "w", "щ": "w", "ъ": "b", "ь": "b", "є": "e", "ԑ": "e",
    # Greek lower case (capitals that look like Latin capitals are read as such, see below).
    "β": "b", "ϐ": "b", "ε": "e", "ϵ": "e", "κ": "k", "ϰ": "k", "μ": "u", "π": "n", "τ": "t",
    "χ": "x", "ω": "w",
}  # fmt: skip


@lru_cache(maxsize=65536)
def _fold(grapheme: str) -> str:
    # Repeat until stable: NFKC and casefolding can expose a new source for the skeleton and back.
    current = grapheme
    for _ in range(4):
        folded = _fold_once(current)
        if folded == current:
            break
        current = folded
    return current


def _fold_once(text: str) -> str:
    table = _skeleton_table()
    # A compatibility character that NFKC turns into another non-ASCII letter keeps its TR39 reading:
    # the lunate sigma "ϲ" looks like "c", not like the "σ" NFKC makes of it. One that NFKC turns into
    # ASCII ("Ｃ", "𝐈", "ℐ") goes through NFKC and casefolding, so that case never matters.
    text = "".join(_read_before_casefolding(char) for char in text)
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    out = []
    for char in decomposed:
        if _IGNORABLE.match(char) or _INHERITED_MARK.match(char):
            continue
        out.append(table.get(char, char))
    return "".join(out)


# Per-character answers are cached, but never for every code point a shopper could send: bounded,
# so a flood of distinct characters costs time, not memory.
PER_CHARACTER_CACHE = 16_384


@lru_cache(maxsize=PER_CHARACTER_CACHE)
def _is_unusable(char: str) -> bool:
    # Surrogates are category Cs, not Cn; noncharacters (U+FFFE, U+FDD0...) are Cn.
    return 0xD800 <= ord(char) <= 0xDFFF or unicodedata.category(char) == "Cn"


@lru_cache(maxsize=PER_CHARACTER_CACHE)
def _read_before_casefolding(char: str) -> str:
    table = _skeleton_table()
    if char not in table:
        # An accented capital ("Ή", "Ӱ") is read as its base letter would be: the accent goes anyway.
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and decomposed[0] in table:
            return _read_before_casefolding(decomposed[0]) + decomposed[1:]
        return char
    if not _nfkc_is_ascii_or_same(char):
        return table[char]
    # A capital TR39 reads as an ASCII capital is that capital, whatever its lower case looks like:
    # the Cyrillic "Т" is a T while its "т" is a small capital; the Greek "Η" is an H while its "η"
    # looks like an n, and its "Ν" an N while "ν" is a v. Casefolding first would lose the capital,
    # and "ЅТUРІD" would pass for something else than "stupid".
    # (TR39 reads every I as an l, and so the Greek "Ι" and the Cyrillic "І": both match an i or an l.)
    prototype = _tr39_prototypes().get(char, "")
    if len(prototype) == 1 and prototype.isascii() and prototype.isalnum() and not _nfkc_is_ascii(char):
        return prototype
    return char


@lru_cache(maxsize=PER_CHARACTER_CACHE)
def _nfkc_is_ascii(char: str) -> bool:
    return unicodedata.normalize("NFKC", char).isascii()


@lru_cache(maxsize=PER_CHARACTER_CACHE)
def _nfkc_is_ascii_or_same(char: str) -> bool:
    normal = unicodedata.normalize("NFKC", char)
    return normal == char or normal.isascii()


@cache
def _tr39_prototypes() -> dict[str, str]:
    """TR39 `confusables.txt` as a map from a single code point to its prototype, as the file has it.

    The confusable-homoglyphs package stores the mapping both ways (source -> prototype and back), so
    the direction is recovered: TR39 maps each source to exactly one prototype and never maps a
    prototype, so every character with several neighbours, and every string of several code points,
    is a prototype. The remaining pairs (one source, one prototype) are told apart by a fixed
    preference (ASCII first, then the lower code point); for matching either choice is equivalent,
    since both characters of the pair fold to the same one.
    """
    raw = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    neighbours: dict[str, set[str]] = {}
    for key, entries in raw.items():
        # The package keeps the left-to-right marks the data file shows around right-to-left text.
        source = _strip_marks_of_display(key)
        for entry in entries:
            neighbours.setdefault(source, set()).add(_strip_marks_of_display(entry["c"]))
    prototypes: dict[str, str] = {}
    for char, around in neighbours.items():
        if len(char) != 1 or len(around) != 1:
            continue
        (other,) = around
        if len(other) > 1 or len(neighbours.get(other, ())) > 1:
            prototypes[char] = other
        else:
            prototypes[char] = min(char, other, key=lambda c: (not c.isascii(), c))
    return prototypes


@cache
def _skeleton_table() -> dict[str, str]:
    """TR39's prototypes completed by `LATIN_LOOKALIKES`, from a code point to its skeleton (folded)."""
    prototypes = {**_tr39_prototypes(), **LATIN_LOOKALIKES}
    table: dict[str, str] = {}
    for char, prototype in prototypes.items():
        if prototype != char:
            table[char] = _reduce(prototype, prototypes)
    return table


def _strip_marks_of_display(text: str) -> str:
    return text.replace("\u200e", "").replace("\u200f", "")


def _reduce(text: str, prototypes: dict[str, str]) -> str:
    # A prototype of several code points may itself contain sources ("rn" is fine, others are not).
    current = text
    for _ in range(8):
        decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", current).casefold())
        step = "".join(
            prototypes.get(char, char)
            for char in decomposed
            if not (_IGNORABLE.match(char) or _INHERITED_MARK.match(char))
        )
        if step == current:
            break
        current = step
    return current


# --- characters ---------------------------------------------------------------------------------


_SCRIPT_NAME = regex.compile(r"[A-Za-z][A-Za-z_ -]*\Z")


@cache
def _script_class(scripts: tuple[str, ...]) -> regex.Pattern[str] | None:
    # Names come from merchants' YAML: only plain names reach the pattern, never regex syntax.
    if not all(_SCRIPT_NAME.match(name) for name in scripts):
        return None
    try:
        script = "".join(rf"\p{{Script={name}}}" for name in scripts)
        extensions = "".join(rf"\p{{scx={name}}}" for name in scripts)
        return regex.compile(f"[{script}{extensions}]") if scripts else None
    except regex.error:
        return None


_VERDICT_CACHE_SIZE: Final = 4096  # graphemes remembered per policy; shoppers reuse few


@lru_cache(maxsize=256)
def _policy(
    scripts: tuple[str, ...], brand_scripts: tuple[str, ...], characters: str | None
) -> _CharacterPolicy:
    return _CharacterPolicy(scripts, brand_scripts, characters)


@lru_cache(maxsize=8192)
def _char_class(char: str) -> TextProblemCode | bool:
    """A hard problem of the character alone, True for a format character (allowed in context), or False."""
    if char in _BIDI_CONTROLS:
        return TextProblemCode.BIDI_CONTROL
    if _CONTROL.match(char):
        return TextProblemCode.CONTROL_CHARACTER
    if _UNSUPPORTED.match(char) or _is_unusable(char):
        return TextProblemCode.UNSUPPORTED_CHARACTER
    return _FORMAT.match(char) is not None


class _CharacterPolicy:
    """The character rules for one set of scripts and characters, prepared once and reused."""

    def __init__(
        self, scripts: tuple[str, ...], brand_scripts: tuple[str, ...], characters: str | None
    ) -> None:
        # The loader already intersects the attribute's scripts with the brand's; a letter is checked
        # against both lists anyway, so that a name spelled two ways ("Latn", "Latin") fails closed.
        self.scripts = scripts or brand_scripts  # the names messages show
        self.characters = characters
        self.any_script = not scripts and not brand_scripts
        # An unknown script name (a typo the loader should have caught) allows nothing rather than all.
        self.script_classes = tuple(
            _script_class(tuple(name for name in names if is_known_script(name)))
            for names in (scripts, brand_scripts)
            if names
        )
        self.listed: frozenset[str] = frozenset()
        if characters is not None:
            listed = {_comparable(part) for part in graphemes(characters)}
            listed |= {_comparable(char) for char in characters}
            self.listed = frozenset(listed)
        self.verdicts: dict[str, TextProblemCode | None] = {}

    def check(self, parts: Sequence[str], words: _Words) -> list[TextProblem]:
        found: dict[tuple[TextProblemCode, str], TextProblem] = {}

        def report(
            code: TextProblemCode,
            position: int,
            offending: str,
            message: Localized,
            detail: str | None = None,
        ) -> None:
            found.setdefault(
                (code, offending),
                TextProblem(code, message, position=position, grapheme=offending, detail=detail),
            )

        flat = [char for part in parts for char in part]
        text = "".join(flat)
        start = 0  # index in `flat` of the grapheme's first code point
        for position, part in enumerate(parts):
            at = start
            start += len(part)
            if part in LINE_BREAKS:
                continue
            kept = []
            refused_part = False
            for offset, char in enumerate(part):
                kind = _char_class(char)
                if kind is False:
                    kept.append(char)
                    continue
                code = kind if kind is not True else _invisible(part, offset, flat, at + offset)
                if code is not None:
                    refused_part = True
                    message = words.hard(code, char, _where(text, at + offset))
                    report(code, position, char, message, describe_character(char))
                # allowed joiners and selectors are not compared with `characters`
            if len(part) > MAX_MARKS_PER_GRAPHEME and _too_many_marks(part):
                report(
                    TextProblemCode.TOO_MANY_MARKS,
                    position,
                    part,
                    words.too_many_marks(_display(part)),
                    f"{sum(1 for char in part if _COUNTED_MARK.match(char))} combining marks on one letter",
                )
            visible = "".join(kept)
            code = self.verdict(visible)
            if code is not None:
                offending = visible if refused_part else part  # as typed, unless parts of it were refused
                shown = _display(offending)
                where = _where(text, at, len(part)) if shown.spoken else None
                message = words.not_allowed(shown, where, self.scripts, self.characters)
                report(code, position, offending, message, _describe(offending))
        return sorted(found.values(), key=lambda problem: problem.position or 0)

    def verdict(self, visible: str) -> TextProblemCode | None:
        """Why this grapheme (joiners and selectors removed) is refused, or None; remembered."""
        if visible in self.verdicts:
            return self.verdicts[visible]
        code = self._refused(visible)
        if len(self.verdicts) < _VERDICT_CACHE_SIZE:
            self.verdicts[visible] = code
        return code

    def _refused(self, visible: str) -> TextProblemCode | None:
        if not visible or self._is_listed(visible):
            return None
        base = visible[0]
        if _LETTER.match(base) and not _SCRIPTLESS.match(base):
            marks_ok = all(self._script_ok(char) for char in visible[1:] if _MARK.match(char))
            return None if self._script_ok(base) and marks_ok else TextProblemCode.SCRIPT_NOT_ALLOWED
        if self.characters is not None:
            return TextProblemCode.CHARACTER_NOT_ALLOWED
        if all(_NO_SCRIPT.match(char) or self._script_ok(char) for char in visible):
            return None
        return TextProblemCode.SCRIPT_NOT_ALLOWED

    def _is_listed(self, visible: str) -> bool:
        if not self.listed:
            return False
        comparable = _comparable(visible)
        return comparable in self.listed or all(char in self.listed for char in comparable)

    def _script_ok(self, char: str) -> bool:
        if self.any_script or _INHERITED_MARK.match(char):
            return True
        return all(pattern is not None and pattern.match(char) is not None for pattern in self.script_classes)


def _invisible(part: str, offset: int, flat: list[str], at: int) -> TextProblemCode | None:
    """Whether the format character at `part[offset]` (at `flat[at]` in the text) is refused."""
    char = part[offset]
    if char == ZWJ and _EMOJI_BEFORE_ZWJ.search(part, 0, offset) and _EMOJI.match(part, offset + 1):
        return None  # an emoji ZWJ sequence (UAX #29 rule GB11)
    if char in (ZWJ, ZWNJ) and 0 < at < len(flat) - 1:
        before, after = flat[at - 1], flat[at + 1]
        if _JOINING_LETTER.match(before) and _JOINING_LETTER.match(after) and _LETTER.match(after):
            return None
    if offset > 0 and (_is_variation_selector(char) or (_is_tag(char) and part.startswith(_BLACK_FLAG))):
        return None
    return TextProblemCode.INVISIBLE_CHARACTER


def _too_many_marks(part: str) -> bool:
    marks = sum(1 for char in part if _COUNTED_MARK.match(char) and not _is_variation_selector(char))
    return marks > MAX_MARKS_PER_GRAPHEME


def _comparable(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(char for char in text if not _is_variation_selector(char)))


@dataclass(frozen=True)
class _Shown:
    """A grapheme as a shopper is told about it: quoted when it can be seen, else said in words
    (`spoken`), since quoting a space or an invisible character shows nothing."""

    text: Localized
    spoken: bool = False


def _display(text: str) -> _Shown:
    core = [char for char in text if char != ZWJ and not _is_variation_selector(char) and not _is_tag(char)]
    blank = any(_BLANK.match(char) for char in core) or all(_MARK.match(char) for char in core)
    if core and not blank:
        # Translators: a character the shopper typed, quoted the language's way.
        return _Shown(RULES.localized("“{character}”", character=text))
    return _spoken((core or list(text))[0])


def _spoken(char: str) -> _Shown:
    """A character that cannot be seen, or not on its own, in the words a shopper would use."""
    if char == " ":
        return _Shown(RULES.localized("a space"), True)
    if char == "\t":
        return _Shown(RULES.localized("a tab"), True)
    if char in LINE_BREAKS:
        return _Shown(RULES.localized("a line break"), True)
    if _SPACE.match(char):
        return _Shown(RULES.localized("a special space"), True)
    if char in _BIDI_CONTROLS:
        return _Shown(RULES.localized("an invisible text-direction mark"), True)
    if _CONTROL.match(char):
        return _Shown(RULES.localized("an invisible control character"), True)
    if _char_class(char) is TextProblemCode.UNSUPPORTED_CHARACTER:
        return _Shown(RULES.localized("a character we cannot print"), True)
    if _MARK.match(char) and not _IGNORABLE.match(char):
        return _Shown(RULES.localized("an accent on its own"), True)
    return _Shown(RULES.localized("an invisible character"), True)


_QUOTED_WORD_LENGTH: Final = 20  # graphemes of the word before a place that a message quotes


def _where(text: str, index: int, length: int = 1) -> Localized:
    """The place of `text[index : index + length]` in shopper terms (never a character count)."""
    before = _BLANK_RUN.sub(" ", text[:index]).strip()
    after = _BLANK_RUN.sub(" ", text[index + length :]).strip()
    if not before:
        return RULES.localized("at the start")
    if not after:
        return RULES.localized("at the end")
    word = graphemes(before.rsplit(" ", 1)[-1])
    quoted = "".join(word[-_QUOTED_WORD_LENGTH:])
    if len(word) > _QUOTED_WORD_LENGTH:
        quoted = "…" + quoted
    return RULES.localized("after “{word}”", word=quoted)


def _describe(text: str) -> str:
    """A grapheme's code points as integrators read them."""
    return ", ".join(describe_character(char) for char in text)


def _name(char: str) -> str:
    name = unicodedata.name(char)
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


# --- banned words -------------------------------------------------------------------------------

_DIGITS: Final = frozenset("0123456789")
# What digits and symbols in a banned word stand for ("b1tch" is banned as "bitch").
_LEET: Final = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# What else a letter of a banned word accepts in a text: its leetspeak digits and symbols, and for
# an i also an l (I, l and 1 look alike in capitals). "|" folds to l on its own (TR39).
_ALSO: Final = {"a": "4@", "e": "3", "i": "l1", "l": "1", "o": "0", "s": "5$", "t": "7"}
_SEP: Final = "\x1f"  # between two tokens of a reading; never in a checked text (controls are refused)
_NUMBER: Final = "#"  # a digit of a number: it separates words but is no letter
# A break between two tokens, perhaps over numbers ("s 12 t" spells "st").
_BREAK: Final = rf"{_SEP}(?:{_NUMBER}+{_SEP})*"


@dataclass(frozen=True)
class _Reading:
    """A text as banned words are looked for in it: its tokens joined by `_SEP`, and for each
    character the grapheme it came from (-1 for `_SEP`)."""

    text: str
    origin: tuple[int, ...]


@dataclass(frozen=True)
class _BannedPattern:
    pattern: regex.Pattern[str]
    number: bool  # a banned number ("1488") is looked for as written; a word in the letters reading


def _is_digit(part: str) -> bool:
    return unicodedata.normalize("NFKC", part) in _DIGITS


def _as_written(part: str) -> str:
    # Digits stay digits: TR39 would read "1" as "l" and "0" as "o", which is for the pattern to decide.
    return unicodedata.normalize("NFKC", part) if _is_digit(part) else _fold(part)


def _tokens_of(parts: Sequence[str], *, split_numbers: bool) -> list[list[tuple[str, int]]]:
    """The word characters of `parts` in tokens, each character with its grapheme's index.

    With `split_numbers`, a token also ends where digits start or stop ("stupid2024").
    """
    tokens: list[list[tuple[str, int]]] = [[]]
    for position, part in enumerate(parts):
        for char in _as_written(part):
            if not (_WORD_CHAR.match(char) or char in _LEET):
                if tokens[-1]:
                    tokens.append([])
                continue
            if split_numbers and tokens[-1] and (tokens[-1][-1][0] in _DIGITS) != (char in _DIGITS):
                tokens.append([])
            tokens[-1].append((char, position))
    return [token for token in tokens if token]


def _reading(tokens: list[list[tuple[str, int]]]) -> _Reading:
    chars: list[str] = []
    origin: list[int] = []
    for token in tokens:
        if chars:
            chars.append(_SEP)
            origin.append(-1)
        for char, position in token:
            if chars[-MAX_REPEAT:] == [char] * MAX_REPEAT:
                # A longer run reads like one of MAX_REPEAT: bounded repeats keep matching linear.
                origin[-1] = position
                continue
            chars.append(char)
            origin.append(position)
    return _Reading("".join(chars), tuple(origin))


def _letters_reading(parts: Sequence[str]) -> _Reading:
    """Digits and @ $ inside a word may be letters ("stup1d", "4ss", "@$$"); a number of two digits
    or more standing alone is never one ("455" is not "ass"), a lone digit may be ("s.t.u.p.1.d")."""
    tokens = []
    for token in _tokens_of(parts, split_numbers=False):
        if len(token) > 1 and all(char in _DIGITS for char, _ in token):
            token = [(_NUMBER, position) for _, position in token]
        tokens.append(token)
    return _reading(tokens)


def _written_reading(parts: Sequence[str]) -> _Reading:
    return _reading(_tokens_of(parts, split_numbers=True))


def _runs(token: str) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for char in token:
        if runs and runs[-1][0] == char:
            # A text's runs are cut to MAX_REPEAT (see `_reading`): so are the banned word's.
            runs[-1] = (char, min(runs[-1][1] + 1, MAX_REPEAT))
        else:
            runs.append((char, 1))
    return runs


# The most letters one run of a banned word matches: runs in a reading are at most MAX_REPEAT long,
# but letters of one class may mix ("iI1"). A bound keeps the patterns from backtracking for long.
_MOST: Final = MAX_REPEAT * 2


def _letter(char: str) -> str:
    return "[" + regex.escape(char + _ALSO.get(char, "")) + "]"


def _banned_pattern(word: str) -> _BannedPattern | None:
    """The pattern of one banned word, or None when the word folds to nothing.

    It matches from the start of a token to the end of one: the word's words as whole consecutive
    tokens; or its letters one token per letter ("a.s.s"); or, for a word of `MIN_JOINED_LENGTH`
    letters or more, its letters across any breaks ("Compe titorCo"). Each letter may be repeated
    ("stuuupid") but never dropped ("as" is not "ass"). A digit next to a word ends it ("Stupid1").
    """
    parts = graphemes(word)
    number = all(char in _DIGITS for token in _tokens_of(parts, split_numbers=False) for char, _ in token)
    tokens = [
        "".join(char if number else _LEET.get(char, char) for char, _ in token)
        for token in _tokens_of(parts, split_numbers=False)
    ]
    if not tokens:
        return None
    runs = _runs("".join(tokens))

    def spread(between: str) -> str:
        # Breaks are allowed inside a run of equal letters wherever they are allowed between letters.
        return between.join(
            f"{_letter(char)}(?:(?:{_BREAK})?{_letter(char)}){{{count - 1},{_MOST - 1}}}"
            for char, count in runs
        )

    whole = _BREAK.join(
        "".join(f"{_letter(char)}{{{count},{_MOST}}}" for char, count in _runs(token)) for token in tokens
    )
    alternatives = [whole, spread(_BREAK)]
    if sum(len(token) for token in tokens) >= MIN_JOINED_LENGTH:
        alternatives.append(spread(f"(?:{_BREAK})?"))
    body = "|".join(f"(?:{alternative})" for alternative in alternatives)
    edge = _SEP if number else _SEP + "0-9"
    return _BannedPattern(regex.compile(f"(?<![^{edge}])(?:{body})(?![^{edge}])"), number)


@cache
def _banned_patterns(banned_words: tuple[str, ...]) -> tuple[_BannedPattern, ...]:
    patterns = (_banned_pattern(word) for word in banned_words)
    return tuple(pattern for pattern in patterns if pattern is not None)


def _banned(parts: Sequence[str], banned_words: tuple[str, ...], words: _Words) -> list[TextProblem]:
    patterns = _banned_patterns(tuple(banned_words))
    if not patterns:
        return []
    letters = _letters_reading(parts)
    written = _written_reading(parts) if any(banned.number for banned in patterns) else letters
    spans: set[tuple[int, int]] = set()  # first and last grapheme of each match
    for banned in patterns:
        reading = written if banned.number else letters
        for match in banned.pattern.finditer(reading.text, overlapped=True):
            used = [at for at in reading.origin[match.start() : match.end()] if at >= 0]
            if not banned.number and all(_is_digit(parts[at]) for at in used):
                continue  # digits alone are a number, not a word: "4 5 5" is not "ass"
            spans.add((used[0], used[-1]))
    # A match inside another ("a.s.s" within "a.a.s.s") is the same occurrence.
    kept = [
        span
        for span in spans
        if not any(other != span and other[0] <= span[0] and span[1] <= other[1] for other in spans)
    ]
    problems = []
    for start, stop in sorted(kept):
        typed = "".join(parts[start : stop + 1])
        problems.append(
            TextProblem(TextProblemCode.BANNED_WORD, words.banned(typed), position=start, word=typed)
        )
    return problems


# --- messages -----------------------------------------------------------------------------------
# Each message comes in two forms: naming the field when its label is known ("Engraving is too
# long"), else "this text". Whole sentences, so that each language words them its own way.

# Translators: an adjective qualifying letters ("Latin letters", "lettres latines").
_SCRIPT_NAMES: Final = {
    "Latin": RULES.localized("Latin"),
    "Greek": RULES.localized("Greek"),
    "Cyrillic": RULES.localized("Cyrillic"),
    "Arabic": RULES.localized("Arabic"),
    "Hebrew": RULES.localized("Hebrew"),
    "Armenian": RULES.localized("Armenian"),
    "Georgian": RULES.localized("Georgian"),
    "Han": RULES.localized("Chinese (Han)"),
    "Hiragana": RULES.localized("Hiragana"),
    "Katakana": RULES.localized("Katakana"),
    "Hangul": RULES.localized("Korean (Hangul)"),
    "Thai": RULES.localized("Thai"),
    "Devanagari": RULES.localized("Devanagari"),
    "Bengali": RULES.localized("Bengali"),
    "Tamil": RULES.localized("Tamil"),
    "Ethiopic": RULES.localized("Ethiopic"),
}


class _Words:
    """The message texts of one check, naming the field when its label is known."""

    def __init__(self, label: Localized | None) -> None:
        self.label = label

    def too_long(self, limit: int, actual: int | None) -> Localized:
        if actual is None:
            if self.label is None:
                return RULES.localized_plural(
                    "This text is too long: at most {n} character.",
                    "This text is too long: at most {n} characters.",
                    limit,
                )
            return RULES.localized_plural(
                "{label} is too long: at most {n} character.",
                "{label} is too long: at most {n} characters.",
                limit,
                label=self.label,
            )
        if self.label is None:
            return RULES.localized_plural(
                "This text is too long: at most {n} character, not {actual}.",
                "This text is too long: at most {n} characters, not {actual}.",
                limit,
                actual=actual,
            )
        return RULES.localized_plural(
            "{label} is too long: at most {n} character, not {actual}.",
            "{label} is too long: at most {n} characters, not {actual}.",
            limit,
            label=self.label,
            actual=actual,
        )

    def too_many_lines(self, limit: int, actual: int) -> Localized:
        if limit == 1:
            if self.label is None:
                return RULES.localized("This text fits on one line: remove the line break.")
            return RULES.localized("{label} fits on one line: remove the line break.", label=self.label)
        if self.label is None:
            return RULES.localized_plural(
                "This text takes at most {n} line, not {actual}.",
                "This text takes at most {n} lines, not {actual}.",
                limit,
                actual=actual,
            )
        return RULES.localized_plural(
            "{label} takes at most {n} line, not {actual}.",
            "{label} takes at most {n} lines, not {actual}.",
            limit,
            label=self.label,
            actual=actual,
        )

    def hard(self, code: TextProblemCode, char: str, where: Localized) -> Localized:
        # Said in words and placed by the text around it: a shopper cannot see these characters, and a
        # code point or a character count means nothing to them (both are in the problem's `detail`
        # and `position`).
        if code is TextProblemCode.BIDI_CONTROL:
            shown = RULES.localized("an invisible text-direction mark")
        elif code is TextProblemCode.UNSUPPORTED_CHARACTER:
            shown = RULES.localized("a character we cannot print")
        else:
            shown = _spoken(char).text
        if self.label is None:
            return RULES.localized(
                "This text contains {character} {place}; remove it.", character=shown, place=where
            )
        return RULES.localized(
            "{label} contains {character} {place}; remove it.", label=self.label, character=shown, place=where
        )

    def too_many_marks(self, shown: _Shown) -> Localized:
        return capitalized(
            RULES.localized(
                "{character} carries too many accents or marks (at most {limit}).",
                character=shown.text,
                limit=MAX_MARKS_PER_GRAPHEME,
            )
        )

    def not_allowed(
        self, shown: _Shown, where: Localized | None, scripts: tuple[str, ...], characters: str | None
    ) -> Localized:
        # No final full stop: the list of characters may end with one.
        accepted = _accepted(scripts, characters)
        if where is None:
            if self.label is None:
                found = RULES.localized(
                    "{character} is not allowed: this text accepts {accepted}",
                    character=shown.text,
                    accepted=accepted,
                )
            else:
                found = RULES.localized(
                    "{character} is not allowed: {label} accepts {accepted}",
                    character=shown.text,
                    label=self.label,
                    accepted=accepted,
                )
        elif self.label is None:
            found = RULES.localized(
                "{character} {place} is not allowed: this text accepts {accepted}",
                character=shown.text,
                place=where,
                accepted=accepted,
            )
        else:
            found = RULES.localized(
                "{character} {place} is not allowed: {label} accepts {accepted}",
                character=shown.text,
                place=where,
                label=self.label,
                accepted=accepted,
            )
        return capitalized(found)

    def banned(self, typed: str) -> Localized:
        # The text as typed, never the banned word itself: the list is the shop's, not the shopper's.
        # The quote is where to look; the problem's `position` says it to integrators.
        if self.label is None:
            return RULES.localized("“{typed}” is not allowed in this text.", typed=typed)
        return RULES.localized("“{typed}” is not allowed in {label}.", typed=typed, label=self.label)


def _listed(characters: str) -> tuple[bool, bool, list[str]]:
    # Spaces and the ten digits read better as words than as a row of symbols.
    parts = list(dict.fromkeys(graphemes(characters)))
    space = " " in parts
    digits = all(digit in parts for digit in "0123456789")
    others = [part for part in parts if part != " " and not (digits and part in "0123456789")]
    return space, digits, others


def _accepted(scripts: tuple[str, ...], characters: str | None) -> Localized:
    """What a text accepts, listed the language's way: "Latin or Greek letters, digits and - '"."""
    if scripts:
        names = listed([_SCRIPT_NAMES.get(name, name) for name in scripts], "or")
        letters = RULES.localized("{scripts} letters", scripts=names)
    else:
        letters = RULES.localized("letters")
    if characters is None:
        return listed(
            [letters, RULES.localized("digits"), RULES.localized("spaces"), RULES.localized("punctuation")]
        )
    space, digits, others = _listed(characters)
    items: list[Param] = [letters]
    if digits:
        items.append(RULES.localized("digits"))
    if space:
        items.append(RULES.localized("spaces"))
    if others:
        items.append(" ".join(others))
    return listed(items)
