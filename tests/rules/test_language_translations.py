"""A brand that declares its languages hears of every label and message lacking one, at its place in
the file with what to add; a brand that declares none hears nothing, and the shop offers exactly the
languages declared."""

from __future__ import annotations

from pathlib import Path

from rules.errors import Code
from rules.language import load_catalog

BRAND = """\
brand: northwind
label: {en: Northwind, fr: Northwind, de: Northwind}
languages: [en, fr, de]
currencies: [EUR]
palette:
  ink: {hex: "#1B1F3B", label: {en: Ink, fr: Encre}}
"""

MUG = """\
product: mug
label: {en: Mug, fr: Mug, de: Becher}
price: {EUR: "14.00"}
attributes:
  colour: {type: colour, label: Glaze, options: [ink], default: ink}
  size:
    type: choice
    label: {en: Size, fr: Taille, de-CH: Grösse}
    options:
      small: {label: {en: Small, fr: Petit, de: Klein}}
      large: {label: {en: Large, fr-CA: Grand, de: Gross}}
    default: small
constraints:
  - rule: size == small or colour == ink
    message: {en: "Large mugs come in ink only.", fr: "Les grands mugs sont en encre.", de: "Nur in Tinte."}
"""


def warnings_of(folder: Path) -> list[str]:
    _brand, _products, warnings = load_catalog(folder)
    return [
        f"{Path(d.source.file).name}:{d.source.line}:{d.source.column}: {d.message} ({d.hint})"
        for d in warnings
        if d.code == Code.MISSING_TRANSLATION and d.source is not None
    ]


def test_every_text_without_a_declared_language_is_warned_at_its_place(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND)
    (tmp_path / "mug.yaml").write_text(MUG)
    assert warnings_of(tmp_path) == [
        "brand.yaml:6:32: `label` of palette colour 'ink' has no 'de' text, a language the brand declares"
        " (add `de: ...`)",
        "mug.yaml:5:33: `label` of attribute 'colour' has no 'fr' or 'de' text, languages the brand declares"
        " (write it per language: `{en: Glaze, fr: ..., de: ...}`)",
        "mug.yaml:8:12: `label` of attribute 'size' has no 'de' text, a language the brand declares"
        " (add `de: ...`)",
        "mug.yaml:11:22: `label` of option 'large' of 'size' has no 'fr' text, a language the brand declares"
        " (add `fr: ...`)",
    ]


def test_a_brand_declaring_no_languages_hears_nothing_and_declared_ones_are_the_offered_ones(
    tmp_path: Path,
) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND.replace("languages: [en, fr, de]\n", ""))
    (tmp_path / "mug.yaml").write_text(MUG)
    assert warnings_of(tmp_path) == []
    brand, _products, _warnings = load_catalog(tmp_path)
    assert brand.languages == ()
    (tmp_path / "brand.yaml").write_text(BRAND)
    assert load_catalog(tmp_path)[0].languages == ("en", "fr", "de")


def test_the_shop_speaks_the_languages_its_brand_declares(tmp_path: Path) -> None:
    import shutil

    from configurator import create_app
    from tests.conftest import TEST_CATALOG

    catalog = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    brand = catalog / "brand.yaml"
    brand.write_text(brand.read_text().replace("currencies:", "languages: [en]\ncurrencies:", 1))
    app = create_app(
        {"TESTING": True, "ATELIER_CATALOG": str(catalog), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    answer = app.test_client().get("/api/v1/products/mug", headers={"Accept-Language": "fr"})
    assert answer.headers["Content-Language"] == "en"
    assert answer.get_json()["label"] == "Engraved mug"
