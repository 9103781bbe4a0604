"""The text policy: grapheme lengths, matching form, and every rule of `check_text`."""

from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import rules.text
from rules import unicode
from rules.model import Brand, Localized, TextLimits
from rules.text import (
    _BREAK,
    LATIN_LOOKALIKES,
    MAX_MARKS_PER_GRAPHEME,
    MAX_REPEAT,
    MIN_JOINED_LENGTH,
    TextProblem,
    TextProblemCode,
    _banned_patterns,
    _BannedPattern,
    _letters_reading,
    _skeleton_table,
    _tr39_prototypes,
    check_text,
    grapheme_length,
    graphemes,
    is_known_script,
    normalise_for_matching,
    unusable_characters,
)

ENGRAVING = Localized({"en": "Engraving", "fr": "Gravure"})
PUNCTUATION = " .,'&!?-"


def make_brand(
    banned: tuple[str, ...] = ("competitorco", "some slur", "ass", "rapist", "penis"),
    scripts: tuple[str, ...] = ("Latin",),
    max_text_length: int | None = None,
) -> Brand:
    return Brand(
        key="northwind-crafts",
        label=Localized.plain("Northwind Crafts"),
        currencies=("EUR",),
        palette={},
        banned_words=banned,
        scripts=scripts,
        max_text_length=max_text_length,
    )


BRAND = make_brand()
OPEN_BRAND = make_brand(banned=(), scripts=())
LIMITS = TextLimits(max_length=40, characters=PUNCTUATION)
FREE = TextLimits(max_length=40)


def codes(problems: list[TextProblem]) -> list[str]:
    return [problem.code.value for problem in problems]


def check(text: str, limits: TextLimits = LIMITS, brand: Brand = BRAND) -> list[TextProblem]:
    return check_text(text, limits, brand, label=ENGRAVING)


# --- graphemes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("Anna", 4),
        ("Noël", 4),
        ("Noe\u0308l", 4),  # decomposed: e + combining diaeresis is one character
        ("🇫🇷🇨🇦", 2),  # two flags, four regional indicators
        ("👩‍👩‍👧‍👦", 1),  # a family joined by ZWJ
        ("👍🏽", 1),  # skin tone modifier
        ("❤️", 1),  # heart + VS16
        ("1️⃣", 1),  # keycap
        ("🏴󠁧󠁢󠁥󠁮󠁧󠁿", 1),  # England: black flag + tag characters
        ("\u1100\u1161\u11a8", 1),  # Hangul jamo L V T
        ("a\r\nb", 3),  # CR LF is one grapheme
    ],
)
def test_grapheme_length_counts_what_a_person_sees(text: str, length: int) -> None:
    assert grapheme_length(text) == length
    assert len(graphemes(text)) == length
    assert "".join(graphemes(text)) == text


# Extended_Pictographic code points (the property UAX #29 rule GB11 joins across ZWJ).
emoji = st.sampled_from(
    [chr(code) for code in range(0x1F400, 0x1F500) if regex.match(r"\p{Extended_Pictographic}", chr(code))]
)
zwj_sequence = st.lists(
    st.tuples(emoji, st.sampled_from(["", "\U0001f3fb", "\U0001f3ff", "\ufe0f"])).map("".join),
    min_size=1,
    max_size=5,
).map("\u200d".join)


@given(st.lists(zwj_sequence, max_size=12))
def test_k_emoji_zwj_sequences_are_k_characters(sequences: list[str]) -> None:
    assert grapheme_length("".join(sequences)) == len(sequences)


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcXYZéøßжλ"),
            st.lists(st.sampled_from("\u0301\u0308\u0327\u0323\u0302"), max_size=3),
        ),
        max_size=20,
    )
)
def test_combining_marks_belong_to_their_letter(letters: list[tuple[str, list[str]]]) -> None:
    text = "".join(base + "".join(marks) for base, marks in letters)
    assert grapheme_length(text) == len(letters)
    assert grapheme_length(unicodedata.normalize("NFC", text)) == len(letters)


# --- normalise_for_matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "CompetitorCo",
        "COMPETITORCO",
        "ＣｏｍｐｅｔｉｔｏｒＣｏ",  # fullwidth (NFKC)
        "𝐂𝐎𝐌𝐏𝐄𝐓𝐈𝐓𝐎𝐑𝐂𝐎",  # mathematical bold (NFKC)
        "ϲоmрetitorсо",  # Greek lunate sigma, Cyrillic o, r, s (TR39)
        "ᴄоⅿреtіtоrсо",  # small capital C, Roman numeral m, Cyrillic and Ukrainian letters
        "Compet\u200bitor\u00adCo",  # zero-width space, soft hyphen
        "Cömpétitorcô",  # accents
        "Competitor\u034fCo",  # combining grapheme joiner
    ],
)
def test_normalise_for_matching_folds_case_width_homoglyphs_and_invisibles(variant: str) -> None:
    assert normalise_for_matching(variant) == normalise_for_matching("competitorco")


def test_normalise_for_matching_keeps_different_words_apart() -> None:
    assert normalise_for_matching("cat") != normalise_for_matching("oat")
    assert normalise_for_matching("class") != normalise_for_matching("ass")
    assert normalise_for_matching("Straße") == normalise_for_matching("strasse")  # casefold
    assert normalise_for_matching("rn") == normalise_for_matching("m")  # TR39: they look alike


def test_the_skeleton_is_the_full_tr39_table_not_a_handful() -> None:
    table = _skeleton_table()
    assert len(table) > 5000
    assert table["а"] == "a"  # Cyrillic a
    assert table["ο"] == "o"  # Greek omicron


@settings(max_examples=300)
@given(st.text(max_size=30))
@example("ϲℐ𝐈Ⓛﬁ\u0301\u200d")
def test_normalise_for_matching_is_idempotent(text: str) -> None:
    once = normalise_for_matching(text)
    assert normalise_for_matching(once) == once


def test_every_confusable_folds_to_a_stable_form() -> None:
    for char in _skeleton_table():
        folded = normalise_for_matching(char)
        assert normalise_for_matching(folded) == folded, (char, folded)


# --- length and lines ---------------------------------------------------------------------------


def test_a_text_within_every_limit_has_no_problem() -> None:
    assert check("Happy birthday, Anna!") == []
    assert check("") == []


def test_too_long_counts_graphemes_and_says_by_how_much() -> None:
    limits = TextLimits(max_length=5, characters=PUNCTUATION)
    assert check("Zoë", limits) == []
    assert check("Noe\u0308l!", limits) == []  # five graphemes, six code points
    (problem,) = check("Hello!", limits)
    assert problem.code is TextProblemCode.TOO_LONG
    assert (problem.limit, problem.actual) == (5, 6)
    assert problem.message.get("en") == "Engraving is too long: at most 5 characters, not 6."
    assert problem.message.get("fr") == "Le champ « Gravure » est trop long : 5 caractères au maximum, pas 6."


def test_the_brand_limit_caps_the_attribute() -> None:
    (problem,) = check("abcdefgh", TextLimits(max_length=20), make_brand(max_text_length=6))
    assert (problem.code, problem.limit, problem.actual) == (TextProblemCode.TOO_LONG, 6, 8)


def test_without_a_label_messages_say_this_text() -> None:
    (problem,) = check_text("abcdef", TextLimits(max_length=3), BRAND)
    assert problem.message.get("en") == "This text is too long: at most 3 characters, not 6."
    assert problem.message.get("fr").startswith("Ce texte est trop long")


@pytest.mark.parametrize("text", ["a" * 1_000_000, "a" + "\u0301" * 1_000_000, "👍" * 500_000])
def test_a_megabyte_is_refused_by_length_before_any_expensive_work(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    segmented: list[int] = []  # the code points handed to grapheme segmentation, the costly part

    def counted(part: str) -> list[str]:
        segmented.append(len(part))
        return graphemes(part)

    monkeypatch.setattr(rules.text, "graphemes", counted)
    problems = check(text)
    assert codes(problems) == ["too_long"]
    assert problems[0].actual is None  # refused unmeasured
    assert problems[0].message.get("en") == "Engraving is too long: at most 40 characters."
    assert sum(segmented) == 0


def test_lines_are_counted_with_every_kind_of_line_break() -> None:
    two = TextLimits(max_length=40, max_lines=2, characters=PUNCTUATION)
    assert check("Anna\nBen", two) == []
    assert check("Anna\r\nBen", two) == []
    (problem,) = check("Anna\rBen\u2028Carl", two)
    assert (problem.code, problem.limit, problem.actual) == (TextProblemCode.TOO_MANY_LINES, 2, 3)
    assert problem.message.get("en") == "Engraving takes at most 2 lines, not 3."


def test_one_line_only_asks_to_remove_the_break() -> None:
    (problem,) = check("Anna\nBen")
    assert problem.code is TextProblemCode.TOO_MANY_LINES
    assert problem.message.get("en") == "Engraving fits on one line: remove the line break."
    assert "retour à la ligne" in problem.message.get("fr")


# --- scripts and characters ---------------------------------------------------------------------


def test_a_letter_of_another_script_is_refused_with_a_clear_message() -> None:
    (problem,) = check("Жанна"[0] + "anna")
    assert problem.code is TextProblemCode.SCRIPT_NOT_ALLOWED
    assert (problem.grapheme, problem.position) == ("Ж", 0)
    assert problem.message.get("en") == (
        "“Ж” is not allowed: Engraving accepts Latin letters, spaces, and . , ' & ! ? -"
    )
    assert problem.message.get("fr") == (
        "« Ж » n'est pas accepté : le champ « Gravure » accepte les lettres latines, les espaces et "
        ". , ' & ! ? -"
    )


def test_each_refused_character_is_reported_once_at_its_first_place() -> None:
    problems = check("Жж Жанна")
    assert [(p.grapheme, p.position) for p in problems] == [("Ж", 0), ("ж", 1), ("а", 4), ("н", 5)]


def test_listed_characters_are_the_only_non_letters_allowed() -> None:
    assert check("Anna & Ben, 'forever'!") == []
    problems = check("Anna + Ben 4ever")
    assert [(p.code.value, p.grapheme) for p in problems] == [
        ("character_not_allowed", "+"),
        ("character_not_allowed", "4"),
    ]
    assert problems[0].message.get("en") == (
        "“+” is not allowed: Engraving accepts Latin letters, spaces, and . , ' & ! ? -"
    )


def test_digits_are_named_as_such_when_all_ten_are_listed() -> None:
    limits = TextLimits(max_length=40, characters=" 0123456789")
    (problem,) = check("Anna!", limits)
    assert (
        problem.message.get("en") == "“!” is not allowed: Engraving accepts Latin letters, digits, and spaces"
    )


def test_an_emoji_is_a_character_that_must_be_listed() -> None:
    (problem,) = check("Anna 👩‍👩‍👧")
    assert (problem.code, problem.grapheme) == (TextProblemCode.CHARACTER_NOT_ALLOWED, "👩‍👩‍👧")
    assert problem.message.get("en").startswith("“👩‍👩‍👧” is not allowed")
    listed = TextLimits(max_length=40, characters=" ❤")
    assert check("Anna ❤️ Ben", listed) == []  # listed without VS16, typed with it


def test_a_blank_character_is_said_in_words_and_placed_rather_than_quoted() -> None:
    (problem,) = check("Anna\u00a0Ben")
    assert problem.code is TextProblemCode.CHARACTER_NOT_ALLOWED
    assert problem.message.get("en").startswith("A special space after “Anna” is not allowed")
    assert problem.message.get("fr").startswith("Un espace spécial après « Anna » n'est pas accepté")
    assert (problem.detail, problem.position) == ("U+00A0 NO-BREAK SPACE", 4)


def test_a_refused_space_says_where_it_is_in_shopper_terms() -> None:
    # Given an engraving whose character list leaves out the space
    limits = TextLimits(max_length=40, characters="0123456789")

    # When the shopper types a space at the start, between words and at the end
    first, *_ = check(" Anna", limits)
    middle, *_ = check("Anna Ben", limits)
    last, *_ = check("Anna ", limits)

    # Then each message names the space in words and its place without counting characters
    assert first.message.get("en").startswith("A space at the start is not allowed: Engraving accepts")
    assert first.message.get("fr").startswith("Un espace au début n'est pas accepté")
    assert middle.message.get("en").startswith("A space after “Anna” is not allowed")
    assert last.message.get("en").startswith("A space at the end is not allowed")
    for problem in (first, middle, last):
        for message in problem.message.texts.values():
            assert "U+" not in message
            assert "character 1" not in message
            assert "caractère 1" not in message
        assert problem.detail == "U+0020 SPACE"


def test_without_a_character_list_digits_punctuation_and_emoji_are_fine() -> None:
    assert check("Happy 40th, Anna! 🎉 👩‍👩‍👧 (2024) #1 €5", FREE) == []
    (problem,) = check("Anna Δ", FREE)
    assert problem.code is TextProblemCode.SCRIPT_NOT_ALLOWED
    assert problem.message.get("en") == (
        "“Δ” is not allowed: Engraving accepts Latin letters, digits, spaces, and punctuation"
    )


def test_digits_of_another_script_are_refused_when_scripts_are_set() -> None:
    (problem,) = check("Anna ४", FREE)  # Devanagari digit four
    assert problem.code is TextProblemCode.SCRIPT_NOT_ALLOWED


def test_accented_latin_letters_are_latin_in_any_normal_form() -> None:
    for text in ["Zoë Noël", "Zoe\u0308 Noe\u0308l", "Ångström, Łódź, Dvořák, Ærøskøbing", "Nguyễn"]:
        assert check(text) == [], text


def test_a_combining_mark_of_another_script_is_refused() -> None:
    (problem,) = check("a\u0483")  # Cyrillic titlo on a Latin letter
    assert problem.code is TextProblemCode.SCRIPT_NOT_ALLOWED


def test_scripts_come_from_the_attribute_intersected_with_the_brand() -> None:
    greek_and_latin = TextLimits(max_length=40, scripts=("Latin", "Greek"))
    assert check("Anna Δ", greek_and_latin, make_brand(scripts=())) == []
    assert codes(check("Anna Δ", greek_and_latin, make_brand(scripts=("Latin",)))) == ["script_not_allowed"]
    problem = check("Ж", greek_and_latin, make_brand(scripts=()))[0]
    assert "Latin or Greek letters" in problem.message.get("en")
    assert "lettres latines ou grecques" in problem.message.get("fr")


def test_scripts_spelled_two_ways_still_fail_closed() -> None:
    latn = TextLimits(max_length=40, scripts=("Latn",))
    assert check("Anna", latn, make_brand(scripts=("Latin",))) == []
    assert codes(check("Anna Ж", latn, make_brand(scripts=("Latin",)))) == ["script_not_allowed"]
    greek_only = TextLimits(max_length=40, scripts=("Greek",))
    assert codes(check("Δ", greek_only, make_brand(scripts=("Latin",)))) == ["script_not_allowed"]
    assert codes(check("A", greek_only, make_brand(scripts=("Latin",)))) == ["script_not_allowed"]


def test_a_script_name_is_never_read_as_a_pattern() -> None:
    assert not is_known_script(r"Latin}\p{L")
    limits = TextLimits(max_length=40, scripts=(r"Latin}\p{L",))
    assert codes(check("Ж", limits, make_brand(scripts=()))) == ["script_not_allowed"]


def test_any_script_is_fine_when_none_is_configured() -> None:
    assert check("Привет, Αθηνά! 你好 مرحبا", FREE, OPEN_BRAND) == []


def test_a_common_letter_counts_for_the_scripts_it_extends() -> None:
    katakana = TextLimits(max_length=40, scripts=("Katakana",))
    assert check("コーヒー", katakana, make_brand(scripts=())) == []  # "ー" is Common, used by Katakana


def test_an_unknown_script_name_allows_no_letter_rather_than_all() -> None:
    assert not is_known_script("Latinn")
    assert all(is_known_script(name) for name in ("Latin", "Cyrillic", "Han", "Latn"))
    limits = TextLimits(max_length=40, scripts=("Latinn",))
    assert codes(check("Anna", limits, make_brand(scripts=()))) == ["script_not_allowed"] * 3  # A, n, a


# --- invisible, control and unsupported characters ----------------------------------------------


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\u202e", "bidi_control"),  # right-to-left override
        ("\u202a", "bidi_control"),  # left-to-right embedding
        ("\u2067", "bidi_control"),  # right-to-left isolate
        ("\u200f", "bidi_control"),  # right-to-left mark
        ("\u200b", "invisible_character"),  # zero width space
        ("\u2060", "invisible_character"),  # word joiner
        ("\ufeff", "invisible_character"),  # byte order mark
        ("\u00ad", "invisible_character"),  # soft hyphen
        ("\u200d", "invisible_character"),  # ZWJ between Latin letters
        ("\u200c", "invisible_character"),  # ZWNJ between Latin letters
        ("\u3164", "invisible_character"),  # Hangul filler
        ("\t", "control_character"),
        ("\x00", "control_character"),
        ("\x7f", "control_character"),
        ("\x85", "control_character"),  # next line (NEL) is not one of our line breaks
        ("\ue000", "unsupported_character"),  # private use
        ("\u0378", "unsupported_character"),  # unassigned
        ("\ud800", "unsupported_character"),  # a lone surrogate, as broken JSON can produce
    ],
)
def test_invisible_control_and_unsupported_characters_are_refused(char: str, code: str) -> None:
    problems = check(f"An{char}na", FREE)
    assert codes(problems) == [code]
    assert problems[0].grapheme == char
    # Joiners extend the grapheme before them (UAX #29), so that is where they are.
    assert problems[0].position == (1 if char in "\u200c\u200d" else 2)
    # Integrators get the code point; a shopper reads it where it helps (an invisible character).
    assert problems[0].detail is not None
    assert problems[0].detail.startswith(f"U+{ord(char):04X}")
    # ...and a shopper reads words and a place, never a code point or a character count.
    for message in problems[0].message.texts.values():
        assert "U+" not in message
        assert "character 3" not in message
        assert "caractère 3" not in message
    assert "after “An”" in problems[0].message.get("en")


def test_a_lone_surrogate_is_described_in_words_with_its_code_point_for_integrators() -> None:
    # Given an engraving without a character list, and a lone surrogate as "\\ud83d" in JSON gives
    (problem,) = check("Ann\ud83da", FREE, OPEN_BRAND)

    # Then the shopper reads words, the integrator the code point
    assert problem.code is TextProblemCode.UNSUPPORTED_CHARACTER
    assert problem.message.get("en") == (
        "Engraving contains a character we cannot print after “Ann”; remove it."
    )
    assert problem.message.get("fr") == (
        "Le champ « Gravure » contient un caractère que nous ne savons pas imprimer après « Ann » : "
        "retirez ce caractère."
    )
    assert problem.detail == "U+D83D (a lone surrogate)"


def test_a_code_point_unassigned_in_the_shops_unicode_is_refused_even_without_a_character_list() -> None:
    # Given a code point no Unicode version has assigned yet, in a text that takes any character
    char = next(chr(c) for c in range(0x1F000, 0x110000) if unicode.category(chr(c)) == "Cn")

    # Then it is refused, since no normalisation can vouch for it
    (problem,) = check(f"Ann{char}a", FREE, OPEN_BRAND)
    assert problem.code is TextProblemCode.UNSUPPORTED_CHARACTER
    assert problem.detail == f"U+{ord(char):04X} (unassigned in Unicode {unicode.UNICODE_VERSION})"


def test_a_letter_newer_than_pythons_own_unicode_is_folded_like_any_other() -> None:
    # Given a modifier letter Unicode 15 added (Python 3.11's database does not know it), which NFKC
    # turns into the Cyrillic "а" that reads as a Latin "a"
    brand = Brand(
        key="b", label=Localized({"en": "B"}), currencies=("EUR",), palette={}, banned_words=("ass",)
    )

    # Then it carries no banned word past the policy, as the older "ᵃ" does not either
    for text in ("\U0001e030ss", "\u1d43ss"):
        (problem,) = check(text, FREE, brand)
        assert problem.code is TextProblemCode.BANNED_WORD, text


def test_unusable_characters_are_surrogates_and_unassigned_code_points_only() -> None:
    assert unusable_characters("Zoë 👩‍👩‍👧 \ue000") == []  # private use is storable: the policy refuses it
    assert unusable_characters("a\ud83d\ude00b\ufffe") == [(1, "\ud83d"), (2, "\ude00"), (4, "\ufffe")]


def test_invisible_character_message_says_it_in_words_and_where_it_is() -> None:
    (problem,) = check("Ann\u200ba")
    assert problem.message.get("en") == "Engraving contains an invisible character after “Ann”; remove it."
    assert problem.message.get("fr") == (
        "Le champ « Gravure » contient un caractère invisible après « Ann » : retirez ce caractère."
    )
    assert (problem.detail, problem.position) == ("U+200B ZERO WIDTH SPACE", 3)
    (at_start,) = check("\u200bAnna")
    assert at_start.message.get("en") == "Engraving contains an invisible character at the start; remove it."


@pytest.mark.parametrize(
    "text",
    [
        "👩‍👩‍👧",  # ZWJ inside an emoji sequence
        "🏳️‍🌈",  # flag + VS16 + ZWJ + rainbow
        "👩🏽‍💻",  # skin tone then ZWJ
        "❤️",  # VS16
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿",  # Scotland: tag characters
    ],
)
def test_joiners_and_selectors_inside_emoji_are_fine(text: str) -> None:
    assert check(f"Anna {text}", FREE) == []


def test_a_dangling_zwj_after_an_emoji_is_refused() -> None:
    assert codes(check("👍\u200d", FREE)) == ["invisible_character"]
    assert codes(check("👍\u200dA", FREE)) == ["invisible_character"]


def test_zwnj_spells_persian_but_hides_nothing_in_latin() -> None:
    persian = TextLimits(max_length=40, scripts=("Arabic",))
    assert check("می\u200cخواهم", persian, make_brand(scripts=())) == []
    assert codes(check("Ben\u200cny", FREE)) == ["invisible_character"]


def test_zalgo_is_refused() -> None:
    zalgo = "a" + "\u0301\u0300\u0302\u0303\u0308\u0323" * 2
    problems = check(f"Hi {zalgo}", FREE)
    assert codes(problems) == ["too_many_marks"]
    assert problems[0].position == 3
    assert check("a" + "\u0301" * MAX_MARKS_PER_GRAPHEME, FREE) == []


def test_problems_of_different_kinds_are_all_reported() -> None:
    limits = TextLimits(max_length=5, characters=PUNCTUATION)
    problems = check("Жx\u200by\nCompetitorCo", limits)
    assert set(codes(problems)) == {
        "too_long",
        "too_many_lines",
        "script_not_allowed",
        "invisible_character",
        "banned_word",
    }


# --- banned words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "CompetitorCo",
        "competitorco",
        "I love CompetitorCo's mugs",
        "c.o.m.p.e.t.i.t.o.r.c.o",
        "C O M P E T I T O R C O",
        "Competitor Co",
        "Competitor-Co!",
        "compe titorco",
        "competitor_co",
        "ϲоmрetitorсо",
        "ＣｏｍｐｅｔｉｔｏｒＣｏ",
        "𝐂𝐨𝐦𝐩𝐞𝐭𝐢𝐭𝐨𝐫𝐂𝐨",
        "Compet\u200bitorCo",
        "Cömpétitorco",
        "c0mpetitorco",
        "some slur",
        "Some  SLUR!",
        "someslur",
        "ass",
        "Ass!",
        "a.s.s",
        "a s s",
        "rapist",
    ],
)
def test_banned_words_are_caught_however_written(text: str) -> None:
    assert "banned_word" in codes(check(text, FREE))


@pytest.mark.parametrize(
    "text",
    [
        "class",
        "Classic glass",
        "assistant",
        "bass guitar",
        "as soon as",
        "therapist",
        "Competitor company",
        "competitorcos",  # never inside a longer word
        "my competitor, colleague",
        "some slurry",
        "sassy",
    ],
)
def test_banned_words_are_not_found_inside_innocent_words(text: str) -> None:
    assert "banned_word" not in codes(check(text, FREE))


def test_known_false_positive_two_real_words_joining_into_a_long_banned_word() -> None:
    # The documented price of catching "Competitor Co": "pen is" joins into "penis" (>= 5 letters).
    assert MIN_JOINED_LENGTH == 5
    assert "banned_word" in codes(check("my pen is blue", FREE))
    # ...while a short banned word only joins when spelled one letter at a time.
    assert "banned_word" not in codes(check("glass as set", FREE))


def test_a_banned_word_reports_the_span_as_typed_and_where_it_starts() -> None:
    (problem,) = check("For Ann, c.o.m.p.e.t.i.t.o.r.c.o!", FREE)
    assert problem.code is TextProblemCode.BANNED_WORD
    assert (problem.word, problem.position) == ("c.o.m.p.e.t.i.t.o.r.c.o", 9)
    # The quote is where to look: a shopper does not count characters (integrators have `position`).
    assert problem.message.get("en") == "“c.o.m.p.e.t.i.t.o.r.c.o” is not allowed in Engraving."
    assert problem.message.get("fr") == (
        "« c.o.m.p.e.t.i.t.o.r.c.o » n'est pas autorisé dans le champ « Gravure »."
    )


def test_every_occurrence_of_a_banned_word_is_reported() -> None:
    problems = check("ass, ASS and a.s.s", FREE)
    assert [(p.word, p.position) for p in problems] == [("ass", 0), ("ASS", 5), ("a.s.s", 13)]


def test_banned_words_themselves_are_normalised() -> None:
    brand = make_brand(banned=("ＣompetitorＣo", "  "))  # a blank banned word matches nothing
    assert "banned_word" in codes(check("competitor co", FREE, brand))
    assert check("Anna", FREE, brand) == []


# Every character TR39 (or NFKC and casefolding) folds onto each letter of the banned word.
def _lookalikes(letter: str) -> list[str]:
    target = normalise_for_matching(letter)
    found = {letter, letter.upper()}
    found |= {chr(ord(letter) - ord("a") + 0xFF41)}  # fullwidth
    found |= {char for char in _skeleton_table() if normalise_for_matching(char) == target}
    return sorted(found)


_WORD = "competitorco"
_LOOKALIKES = {letter: _lookalikes(letter) for letter in set(_WORD)}


def test_there_are_many_lookalikes_for_each_letter() -> None:
    assert all(len(chars) >= 5 for chars in _LOOKALIKES.values())
    assert {"с", "ϲ", "ｃ"} <= set(_LOOKALIKES["c"])
    assert {"ο", "о", "0"} <= set(_LOOKALIKES["o"])
    assert "р" in _LOOKALIKES["p"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(*(st.sampled_from(_LOOKALIKES[letter]) for letter in _WORD)).map("".join))
def test_homoglyph_substitutions_of_a_banned_word_are_always_caught(disguised: str) -> None:
    assert normalise_for_matching(disguised) == normalise_for_matching(_WORD)
    problems = check(f"To {disguised}!", FREE, make_brand(scripts=()))
    assert "banned_word" in codes(problems), disguised


@given(
    st.lists(
        st.sampled_from([".", "-", "_", " ", "  ", ", ", "·", "*", "/", "\n"]), min_size=11, max_size=11
    ),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_spacing_punctuation_and_case_never_hide_a_banned_word(
    separators: list[str], upper: list[bool]
) -> None:
    letters = [char.upper() if up else char for char, up in zip(_WORD, upper, strict=True)]
    disguised = letters[0] + "".join(sep + char for sep, char in zip(separators, letters[1:], strict=True))
    limits = TextLimits(max_length=100, max_lines=20)
    assert "banned_word" in codes(check(disguised, limits, make_brand(scripts=())))


@given(st.lists(st.booleans(), min_size=12, max_size=12))
def test_any_casing_of_a_banned_word_is_caught(upper: list[bool]) -> None:
    text = "".join(char.upper() if up else char for char, up in zip(_WORD, upper, strict=True))
    assert "banned_word" in codes(check(text, FREE))


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20))
def test_fullwidth_forms_are_read_as_ascii(text: str) -> None:
    fullwidth = "".join(chr(ord(char) - 0x21 + 0xFF01) for char in text)
    assert normalise_for_matching(fullwidth) == normalise_for_matching(text)


# --- robustness ---------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text(max_size=60), st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=3))
def test_check_text_never_fails_and_answers_in_both_languages(text: str, max_length: int, lines: int) -> None:
    limits = TextLimits(max_length=max_length, max_lines=lines, characters=PUNCTUATION)
    for problem in check(text, limits):
        assert isinstance(problem.code, TextProblemCode)
        assert problem.message.get("en")
        assert problem.message.get("fr")
        assert problem.message.get("en") != problem.message.get("fr")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,'&!?-", max_size=40))
def test_plain_latin_text_within_limits_is_accepted(text: str) -> None:
    assert check(text, LIMITS, make_brand(banned=())) == []


# --- banned words: digits, symbols, separators and repeated letters -----------------------------

STUPID = make_brand(banned=("stupid", "ass", "1488"), scripts=())


@pytest.mark.parametrize(
    "text",
    [
        "Stupid1",  # a number after the word does not hide it
        "2stupid",
        "stupid2024",
        "stup1d",  # 1 for i (TR39 alone reads it as an l)
        "STUPlD",  # a lowercase l for a capital I
        "5tup1d",
        "$tupid",
        "stup|d",
        "s.t.u.p.i.d",
        "s t u p i d",
        "s-t-u-p-1-d",
        "s.t.u.p.1.d",  # a lone digit spelled out
        "5tupid1",
        "stu\u200bpid",  # zero-width space (also refused on its own)
        "stu\u0301pid",  # a combining mark
        "stu\u0336p\u0336id",  # strike-through marks
        "stuuupid",
        "Stuuuupiiiid!!!",
        "s.t.u.u.u.p.i.d",
        "stu pid",
        "4ss",
        "a55",
        "@$$",
        "a.s.s",
        "a ss",
        "asss",
        "ASS!",
        "1488",
        "You are STUPID",
    ],
)
def test_digits_symbols_separators_and_repeats_never_hide_a_banned_word(text: str) -> None:
    assert "banned_word" in codes(check(text, FREE, STUPID)), text


@pytest.mark.parametrize(
    "text",
    [
        "class",
        "Cassandra",
        "Class of 2024",
        "assistant",
        "as soon as",
        "glass as set",
        "stupidity",  # never inside a longer word
        "455",  # a number is not a word
        "4.5.5",
        "a 55",  # a number of two digits or more is never letters
        "Route A 55",
        "as 5",
        "14 88",
        "Bass 4 ever",
        "Love you 4ever",
    ],
)
def test_the_new_readings_do_not_refuse_innocent_texts(text: str) -> None:
    assert "banned_word" not in codes(check(text, FREE, STUPID)), text


def test_known_false_positive_a_digit_ends_a_word() -> None:
    # The documented price of catching "Stupid1": as written, a digit ends a word, so a banned word
    # followed by a digit inside a longer leetspeak word is refused.
    assert "banned_word" in codes(check("Ass0ciates", FREE, STUPID))


def test_a_digit_after_the_word_is_not_part_of_the_reported_span() -> None:
    (problem,) = check("Stupid1", FREE, STUPID)
    assert (problem.word, problem.position) == ("Stupid", 0)
    (problem,) = check("Hi stup1d!", FREE, STUPID)
    assert (problem.word, problem.position) == ("stup1d", 3)
    assert problem.message.get("en") == "“stup1d” is not allowed in Engraving."


def test_one_occurrence_is_reported_once_however_many_readings_find_it() -> None:
    problems = check("a.a.s.s and 5tup1d", FREE, STUPID)
    assert [(p.word, p.position) for p in problems] == [("a.a.s.s", 0), ("5tup1d", 12)]


def test_leetspeak_in_the_banned_list_is_read_like_leetspeak_in_a_text() -> None:
    brand = make_brand(banned=("b1tch",), scripts=())
    assert "banned_word" in codes(check("bitch", FREE, brand))
    assert "banned_word" in codes(check("B1TCH", FREE, brand))


_LEET_FOR = {"a": ["a", "A", "4", "@"], "s": ["s", "S", "5", "$"], "t": ["t", "T", "7"], "i": ["i", "I", "1"]}
_LEET_FOR |= {"u": ["u", "U"], "p": ["p", "P", "р"], "d": ["d", "D"]}


def _disguised_letter(letter: str) -> st.SearchStrategy[str]:
    # One disguise, then the letter repeated as is (a run of digits alone is a number, see above).
    return st.builds(
        str.__add__, st.sampled_from(_LEET_FOR[letter]), st.integers(0, 2).map(lambda n: letter * n)
    )


@given(
    st.tuples(*(_disguised_letter(letter) for letter in "stupid")),
    st.lists(st.sampled_from(["", "", ".", " ", "-", "\u200b", "_"]), min_size=5, max_size=5),
    st.sampled_from(["", "!", "1", "2024", " :)"]),
)
def test_any_mix_of_leetspeak_separators_and_repeats_is_caught(
    letters: tuple[str, ...], separators: list[str], tail: str
) -> None:
    # Given "stupid" with each letter disguised and repeated, and something between the letters
    disguised = letters[0] + "".join(sep + run for sep, run in zip(separators, letters[1:], strict=True))
    # A number of two digits or more standing alone is never letters (see above): "57.upid" is let go.
    words = regex.split(r"[ ._-]+", disguised.replace("\u200b", ""))
    assume(not any(len(word) > 1 and word.isdigit() for word in words))
    # When it is checked, then it is refused however it was written
    problems = check(f"So {disguised}{tail}", TextLimits(max_length=80), STUPID)
    assert "banned_word" in codes(problems), disguised


@given(st.text(alphabet="bcdfghjkmnoprtuvwxyz0123456789 .,-", max_size=30))
def test_texts_without_the_letters_of_a_banned_word_are_never_refused(text: str) -> None:
    # "ass" needs an a (or 4 or @) and two s (or 5 or $): digits alone never make a word
    assert "banned_word" not in codes(check(text.replace("4", "").replace("5", ""), FREE, STUPID))


def test_long_runs_of_a_repeated_letter_still_match() -> None:
    brand = make_brand(banned=("zzzzz top",), scripts=())  # a banned run longer than MAX_REPEAT
    assert "banned_word" in codes(check("zzzzzzzzzz top", FREE, brand))
    assert "banned_word" in codes(check("Stuuuuuuuuuuuuuuuupid", FREE, STUPID))


def longest_run(reading: str) -> int:
    """The longest run of one character in a reading (the separators between tokens aside)."""
    runs = [len(match.group()) for match in regex.finditer(r"([^\x1f])\1*", reading)]
    return max(runs, default=0)


def letter_repeats(banned: _BannedPattern) -> int:
    """The most characters one letter of a banned word's pattern may match; fails on an open repeat
    (only the breaks between tokens may repeat freely: they are never letters)."""
    source = banned.pattern.pattern.replace(_BREAK, "")
    assert not regex.search(r"(?<!\\)[*+]|\{\d*,\}", source), source
    return max(int(most) for most in regex.findall(r"\{\d+,(\d+)\}", source))


@pytest.mark.parametrize("text", ["1l" * 300 + "x", "a" + "5" * 599, "s." * 300, "iI1l|" * 120])
def test_banned_word_matching_is_bounded_in_hostile_texts(text: str) -> None:
    # Texts where lookalikes ("1" "l" "I" "|") give a pattern many ways to match. The work of one
    # attempt is bounded twice: a run of one letter reads as at most MAX_REPEAT letters, and a letter
    # of a banned word matches at most twice that (letters of one class may mix: "iI1"). How fast
    # that is, is for `python -m bench.hostile` to say.
    brand = make_brand(banned=("stupid", "ass", "illicit", "lilli"), scripts=())
    check(text, TextLimits(max_length=600), brand)
    assert longest_run(_letters_reading(graphemes(text)).text) <= MAX_REPEAT
    for banned in _banned_patterns(brand.banned_words):
        assert letter_repeats(banned) <= 2 * MAX_REPEAT


# --- homoglyphs across scripts, and the invisible characters that hide them -----------------------


@pytest.mark.parametrize(
    "text",
    [
        "ѕtupid",  # Cyrillic dze
        "stυpid",  # Greek upsilon
        "ｓｔｕｐｉｄ",  # fullwidth (NFKC)
        "ｓtuｐid",  # fullwidth here and there
        "stupiԁ",  # Cyrillic komi de
        "ЅТUРІD",  # Cyrillic capitals: dze, te, er, Byelorussian-Ukrainian i
        "STUΡΙD",  # Greek capital rho and iota
        "Ѕ\u200bТUРІD",  # and a zero-width space between them
    ],
)
def test_cyrillic_and_greek_homoglyphs_of_a_banned_word_are_caught(text: str) -> None:
    assert "banned_word" in codes(check(text, FREE, STUPID)), text


def test_a_capital_is_read_as_the_ascii_capital_it_looks_like() -> None:
    # Cyrillic "Т" is a T, while its lower case "т" looks like a small capital: folding the lower
    # case alone would lose the T.
    assert normalise_for_matching("ТЕХТ") == normalise_for_matching("text")
    assert normalise_for_matching("ВАЅЅ") == normalise_for_matching("bass")
    assert normalise_for_matching("ΚΑΤΕ") == normalise_for_matching("kate")


def test_a_homoglyph_of_another_script_is_refused_twice_under_latin_only() -> None:
    # Under a Latin-only brand the Cyrillic letter is refused as such, and the word as banned
    problems = check("ѕtupid", FREE, make_brand(banned=("stupid",)))
    assert codes(problems) == ["script_not_allowed", "banned_word"]
    assert problems[0].grapheme == "ѕ"


_CYRILLIC_AND_GREEK = {
    "s": ["s", "ѕ", "Ѕ", "ｓ", "S"],
    "t": ["t", "Т", "Τ", "ｔ", "T"],
    "u": ["u", "υ", "ｕ", "U"],
    "p": ["p", "р", "Р", "ρ", "Ρ", "ｐ"],
    "i": ["i", "і", "І", "Ι", "ｉ", "1"],
    "d": ["d", "ԁ", "ｄ", "D"],
}


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(*(st.sampled_from(_CYRILLIC_AND_GREEK[letter]) for letter in "stupid")).map("".join),
    st.lists(st.sampled_from(["", "", "\u200b", "\u2060", "\ufeff", "\u00ad"]), min_size=5, max_size=5),
)
def test_mixed_script_homoglyphs_with_invisibles_never_hide_a_banned_word(
    letters: str, invisibles: list[str]
) -> None:
    # Given "stupid" spelled in a mix of Latin, Cyrillic, Greek and fullwidth letters, with
    # invisible characters between them
    text = letters[0] + "".join(gap + char for gap, char in zip(invisibles, letters[1:], strict=True))
    problems = check(f"You {text}!", TextLimits(max_length=80), STUPID)
    # Then the word is refused, and so is every invisible character, each named where it is
    assert "banned_word" in codes(problems), text
    hidden = {gap for gap in invisibles if gap}
    assert {p.grapheme for p in problems if p.code is TextProblemCode.INVISIBLE_CHARACTER} == hidden


# Lower-case look-alikes TR39 leaves out (it reads "т" and "τ" as the small capital "ᴛ"), the Greek
# capitals whose lower case looks like another letter, and fancy-text alphabets.
HOMOGLYPH_BRAND = make_brand(
    banned=("stupid", "jerk", "hex", "query", "wow", "idiot", "kiss", "bomb", "heck", "nag", "vile", "ass"),
    scripts=(),
)


@pytest.mark.parametrize(
    "text",
    [
        # Cyrillic lower case, one look-alike each
        "аss",  # а
        "jеrk",  # е
        "idiоt",  # о
        "stuрid",  # р
        "heсk",  # с
        "querу",  # у
        "heх",  # х
        "stupіd",  # і
        "јerk",  # ј
        "ѕtupid",  # ѕ
        "һex",  # һ
        "stupiԁ",  # ԁ
        "ԛuery",  # ԛ
        "ԝoԝ",  # ԝ
        "stupӏd",  # ӏ
        "sтupid",  # т
        "вomb",  # в
        "boмb",  # м
        "нeck",  # н
        "jerк",  # к
        "пag",  # п
        "stиpid",  # и
        "stцpid",  # ц
        "шoщ",  # ш щ
        "ъomь",  # ъ ь
        "jєrk",  # є
        "вомв",  # all Cyrillic
        # Greek lower case
        "idiοt",  # ο
        "αss",  # α
        "νile",  # ν
        "stupιd",  # ι
        "κiss",  # κ
        "sτupid",  # τ
        "stuρid",  # ρ
        "stυpid",  # υ
        "heχ",  # χ
        "βomb",  # β
        "jεrk",  # ε
        "stμpid",  # μ
        "πag",  # π
        "ωoω",  # ω
        "ѕτυριԁ",  # all look-alikes, two scripts
        # capitals, Cyrillic and Greek
        "ЅТUРІD",
        "ВОМВ",
        "НЕСК",
        "ЈЕRК",
        "ШОЩ",
        "ΗΕΧ",  # eta, not "n"
        "ΝΑG",  # nu, not "v"
        "QUΕRΥ",  # upsilon, not "u"
        "ΚΙSS",
        "ΒΟΜΒ",  # beta, not "ss"
        "ΉΕΧ",  # eta with tonos
        # fullwidth, mathematical, small capitals, circled (NFKC and TR39)
        "ｊｅｒｋ",
        "𝐣𝐞𝐫𝐤",
        "s𝛕upid",  # mathematical italic tau
        "𝖘𝖙𝖚𝖕𝖎𝖉",  # fraktur
        "ꜱᴛᴜᴘɪᴅ",  # small capitals
        "ᴊᴇʀᴋ",
        "ⓢⓣⓤⓟⓘⓓ",
    ],
)
def test_every_latin_lookalike_inside_a_banned_word_is_refused(text: str) -> None:
    problems = check(f"You {text}!", TextLimits(max_length=40), HOMOGLYPH_BRAND)
    assert [(p.code, p.word) for p in problems] == [(TextProblemCode.BANNED_WORD, text)]


@pytest.mark.parametrize(("lookalike", "letter"), sorted(LATIN_LOOKALIKES.items()))
def test_each_entry_of_the_lookalike_table_stands_for_its_letter(lookalike: str, letter: str) -> None:
    # Given a banned word with the letter in the middle, spelled with its look-alike instead
    banned = f"zo{letter}zo"
    brand = make_brand(banned=(banned,), scripts=())
    # Then it folds like the ASCII letter and the word is refused
    assert normalise_for_matching(lookalike) == normalise_for_matching(letter)
    assert codes(check(f"zo{lookalike}zo", FREE, brand)) == ["banned_word"]
    # ...and its capital reads as the same letter, or as the ASCII capital TR39 says it is ("Μ" is M)
    capital = lookalike.upper()
    tr39 = _tr39_prototypes().get(capital, letter)
    assert normalise_for_matching(capital) in {normalise_for_matching(letter), normalise_for_matching(tr39)}
    # ...but a different letter in its place is not
    assert check("zoqzo" if letter != "q" else "zoxzo", FREE, brand) == []


def _greek_and_cyrillic_capitals_tr39_reads_as_ascii() -> list[tuple[str, str]]:
    found = []
    for code in [*range(0x0370, 0x0400), *range(0x0400, 0x0530)]:
        char = chr(code)
        prototype = _tr39_prototypes().get(char, "")
        if char.isupper() and len(prototype) == 1 and prototype.isascii() and prototype.isalpha():
            found.append((char, prototype))
    return found


def test_every_greek_and_cyrillic_capital_reads_as_the_ascii_capital_tr39_says() -> None:
    capitals = _greek_and_cyrillic_capitals_tr39_reads_as_ascii()
    assert {"Η", "Ν", "Υ", "Β", "Т", "Н", "В"} <= {char for char, _ in capitals}
    for char, prototype in capitals:
        assert normalise_for_matching(char) == normalise_for_matching(prototype), char


GENUINE_WORDS = [
    "Мария",
    "Ελένη",
    "Москва",
    "Привет, мама!",
    "С любовью, Дмитрий",
    "Наталья и Ольга",
    "Київ",
    "Београд",
    "Щастя",
    "асс",  # Russian for "ace": reads "acc", not "ass"
    "Σοφία",
    "Αθήνα",
    "Γιώργος",
    "Καλημέρα",
    "Χρόνια πολλά",
    "Με αγάπη",
]


@pytest.mark.parametrize("text", GENUINE_WORDS)
def test_genuine_cyrillic_and_greek_words_are_accepted(text: str) -> None:
    brand = make_brand(banned=HOMOGLYPH_BRAND.banned_words, scripts=("Latin", "Cyrillic", "Greek"))
    assert check(text, FREE, brand) == []


@pytest.mark.parametrize(
    "text", ["сlass", "Сlassic glаss", "аssistant", "bаss guitаr", "тherapist", "ѕassy", "Кissinger"]
)
def test_lookalikes_keep_banned_words_to_whole_words(text: str) -> None:
    brand = make_brand(banned=("ass", "rapist", "kiss"), scripts=())
    assert check(text, FREE, brand) == []


# Letters no reader takes for a Latin one: a word with one of them is never an ASCII word.
_NOT_LOOKALIKES = "джлфчэюяДЖЛФЧЭЮЯδζλξφψΔΛΞΦΨ"
_LOOKALIKE_LETTERS = "аеорсухіјѕһԁԛԝӏтвмнкпицшъьєοανικτρυχβεμπω" + "ЅТРІВМНКАЕОСХΗΝΥΚΒΟΡΤΧ"


@settings(max_examples=200)
@given(
    st.text(alphabet=_LOOKALIKE_LETTERS, min_size=1, max_size=6),
    st.sampled_from(_NOT_LOOKALIKES),
    st.text(alphabet=_LOOKALIKE_LETTERS, min_size=1, max_size=6),
)
def test_a_word_with_a_letter_of_its_own_script_never_matches_an_ascii_banned_word(
    before: str, own: str, after: str
) -> None:
    # Given banned words that are exactly what the look-alike letters around a genuine letter spell
    spelled = [normalise_for_matching(part) for part in (before, after, before + after)]
    banned = tuple(word for word in spelled if word.isascii() and word.isalpha())
    assume(normalise_for_matching(before + after) in banned)
    brand = make_brand(banned=banned, scripts=())
    # Then the look-alikes alone are refused, but not once a letter of their own script is among them
    assert "banned_word" in codes(check(before + after, FREE, brand))
    assert check(before + own + after, FREE, brand) == []


@pytest.mark.parametrize(
    ("text", "position", "named"),
    [
        ("Anna\u202dBen", 4, "U+202D LEFT-TO-RIGHT OVERRIDE"),
        ("Anna\u202bBen", 4, "U+202B RIGHT-TO-LEFT EMBEDDING"),
        ("Anna\u202cBen", 4, "U+202C POP DIRECTIONAL FORMATTING"),
        ("\u2068Anna", 0, "U+2068 FIRST STRONG ISOLATE"),
        ("Anna\u2069", 4, "U+2069 POP DIRECTIONAL ISOLATE"),
    ],
)
def test_every_bidi_control_is_refused_in_words_with_its_name_for_integrators(
    text: str, position: int, named: str
) -> None:
    (problem,) = check(text, FREE)
    assert problem.code is TextProblemCode.BIDI_CONTROL
    assert (problem.position, problem.detail) == (position, named)
    where = "at the start" if position == 0 else "at the end" if text.endswith("\u2069") else "after “Anna”"
    assert problem.message.get("en") == (
        f"Engraving contains an invisible text-direction mark {where}; remove it."
    )


_INVISIBLES_AND_CONTROLS = [
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    *"\u200b\u2060\ufeff\u00ad\u200e\u200f",
]


@given(
    st.text(alphabet="abcdefghij ", min_size=1, max_size=15),
    st.sampled_from(_INVISIBLES_AND_CONTROLS),
    st.integers(min_value=0, max_value=15),
)
def test_a_hidden_character_anywhere_in_latin_text_is_refused_where_it_is(
    text: str, hidden: str, at: int
) -> None:
    at = min(at, len(text))
    problems = check(text[:at] + hidden + text[at:], FREE, OPEN_BRAND)
    assert len(problems) == 1
    assert problems[0].code in (TextProblemCode.BIDI_CONTROL, TextProblemCode.INVISIBLE_CHARACTER)
    assert problems[0].grapheme == hidden
    assert problems[0].position == at
    assert problems[0].detail is not None
    assert problems[0].detail.startswith(f"U+{ord(hidden):04X}")
    assert "U+" not in problems[0].message.get("en")


@pytest.mark.parametrize(
    "text",
    ["👩‍👩‍👧", "👩🏽‍💻", "🇫🇷", "👍🏿", "🏳️‍🌈", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "e\u0301", "ñ", "a\u0308\u0301"],
)
def test_emoji_sequences_and_marks_are_one_accepted_character(text: str) -> None:
    assert grapheme_length(text) == 1
    assert check(text, TextLimits(max_length=1), OPEN_BRAND) == []


@given(st.lists(zwj_sequence, min_size=1, max_size=4), st.integers(min_value=0, max_value=4))
def test_zwj_emoji_are_never_refused_as_invisible(sequences: list[str], spaces: int) -> None:
    text = (" " * spaces).join(sequences)
    problems = check(text, TextLimits(max_length=80), OPEN_BRAND)
    assert TextProblemCode.INVISIBLE_CHARACTER not in {p.code for p in problems}


def test_per_character_caches_are_bounded() -> None:
    # Every code point a shopper could send must not stay in memory: each cache keyed by user text has a size.
    from rules import text

    for name in (
        "_fold",
        "_read_before_casefolding",
        "_nfkc_is_ascii",
        "_nfkc_is_ascii_or_same",
        "_char_class",
    ):
        cached = getattr(text, name)
        assert cached.cache_info().maxsize is not None, name
