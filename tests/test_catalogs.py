"""The translation catalogs are complete and follow the code (`make lint` runs the same check), and the
check itself catches what a translator can get wrong."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from scripts import catalogs
from scripts.catalogs import DOMAINS, Domain


def test_every_catalog_follows_the_code_and_is_translated_in_full() -> None:
    assert list(catalogs.problems()) == []


@pytest.fixture
def copy_of_rules(tmp_path: Path) -> Domain:
    """The engine's domain, its catalogs copied where a test may break them."""
    (rules,) = [domain for domain in DOMAINS if domain.name == "rules"]
    shutil.copytree(catalogs.ROOT / rules.directory, tmp_path / "locales")
    return Domain(rules.name, str(tmp_path / "locales"), rules.source, rules.methods, rules.keywords)


def _edit(path: Path, message_id: str, **changes: object) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    message = catalog[message_id]
    for name, value in changes.items():
        setattr(message, name, value)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())


def test_the_copy_is_clean(copy_of_rules: Domain) -> None:
    assert list(catalogs.problems((copy_of_rules,))) == []


def test_an_untranslated_message_is_named(copy_of_rules: Domain) -> None:
    _edit(copy_of_rules.po("de"), "Subtotal", string="")
    assert [problem for problem in catalogs.problems((copy_of_rules,))] == [
        f"{copy_of_rules.po('de')}:{_line(copy_of_rules.po('de'), 'Subtotal')}: 'Subtotal' has no translation"
    ]


def test_a_fuzzy_translation_is_named(copy_of_rules: Domain) -> None:
    _edit(copy_of_rules.po("fr"), "Subtotal", flags={"fuzzy"})
    (problem,) = catalogs.problems((copy_of_rules,))
    assert "'Subtotal' is marked fuzzy" in problem


def test_a_translation_that_drops_a_parameter_is_named(copy_of_rules: Domain) -> None:
    _edit(copy_of_rules.po("fr"), "Shipping ({zone})", string="Livraison")
    (problem,) = catalogs.problems((copy_of_rules,))
    assert "translated with the parameters [], not ['zone']" in problem


def test_a_text_the_code_writes_that_the_template_lacks_is_named(copy_of_rules: Domain) -> None:
    template = Path(copy_of_rules.template)
    with template.open("rb") as handle:
        catalog = read_po(handle)
    del catalog["Subtotal"]
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    template.write_bytes(buffer.getvalue())
    assert any("new text 'Subtotal'" in problem for problem in catalogs.problems((copy_of_rules,)))


def _line(path: Path, message_id: str) -> int:
    with path.open("rb") as handle:
        return read_po(handle)[message_id].lineno
