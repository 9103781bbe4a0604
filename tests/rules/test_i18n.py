"""Messages in every language at once, from the gettext catalogs (rules/i18n.py)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path

from rules.i18n import RULES, Amount, Catalogs, Percent, listed
from rules.model import Localized


def test_a_message_is_written_in_each_language_with_its_own_plural_rule() -> None:
    def at_most(n: int) -> Localized:
        return RULES.localized_plural(
            "This text is too long: at most {n} character.",
            "This text is too long: at most {n} characters.",
            n,
        )

    # French takes the singular for 0 and 1, English and German for 1 only
    assert at_most(0).texts == {
        "en": "This text is too long: at most 0 characters.",
        "fr": "Ce texte est trop long : 0 caractère au maximum.",
        "de": "Dieser Text ist zu lang: höchstens 0 Zeichen.",
    }
    assert at_most(1).get("en") == "This text is too long: at most 1 character."
    # Numbers are grouped the language's way
    assert at_most(1500).get("fr") == "Ce texte est trop long : 1\u202f500 caractères au maximum."
    assert at_most(1500).get("de") == "Dieser Text ist zu lang: höchstens 1.500 Zeichen."


def test_a_label_parameter_is_read_in_the_same_language_and_brings_its_own_languages() -> None:
    label = Localized({"en": "Engraving", "fr": "Gravure", "de": "Gravur", "es": "Grabado"})
    said = RULES.localized("Choose “{label}”.", label=label)
    assert said.get("fr") == "Choisissez « Gravure »."
    assert said.get("de") == "Wählen Sie „Gravur“."
    # A language the software has no catalog for reads the English message with the merchant's label
    assert said.get("es") == "Choose “Grabado”."


def test_money_percentages_and_lists_follow_cldr_whatever_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 2
        tax = RULES.localized(
            "{tax} {rate}, included", tax=RULES.localized("Tax"), rate=Percent(Decimal("19.5"))
        )
    assert tax.get("en") == "Tax 19.5%, included"
    assert tax.get("de") == "Steuern 19,5\u00a0%, enthalten"
    assert listed(["A", "B", "C"], "or").get("fr") == "A, B ou C"
    from rules.i18n import spoken

    assert spoken(Amount(Decimal("1234.5"), "EUR"), "de") == "1.234,50\u00a0€"
    assert spoken(Amount(Decimal("1234.5"), "USD"), "en") == "$1,234.50"


def test_without_compiled_catalogs_every_language_reads_english(tmp_path: Path) -> None:
    empty = Catalogs(tmp_path, "rules")
    assert empty.localized("Subtotal").texts == {"en": "Subtotal", "fr": "Subtotal", "de": "Subtotal"}
