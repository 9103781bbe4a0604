"""Print files of an order line, read back as the workshop's software reads them: the text is text in
embedded fonts, shaped, counted as the shop counts it, and each view's page is its print size plus the
bleed, with crop marks and a TrimBox."""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from rules import Product, load_catalog
from rules.i18n import LANGUAGES, Catalogs
from rules.preview import printing
from rules.preview.printing import LineFacts, print_file, summary_sheet, workshop_language

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "catalog")
MUG = CATALOG.products["engraved-mug"]
FACTS = LineFacts(order="B4JW-FJBR", line=2, lines=3, quantity=4, version="7 (3fa2c1d9e0b4)")
POINTS_PER_MM = 72 / 25.4
SALAM = "\u0633\u0644\u0627\u0645"  # "سلام": seen, lam, alef, meem

BRAND = """\
brand: souk
label: Souk
currencies: [EUR]
languages: [{languages}]
palette: {{ink: "#1B1F3B", gold: "#C9A227"}}
"""

PLAQUE = """\
product: plaque
label: {en: Name plaque, fr: Plaque nominative}
price: {EUR: "20.00"}
attributes:
  colour: {type: colour, label: {en: Colour, fr: Couleur}, options: [ink, gold], default: gold}
  name:
    type: text
    label: {en: Name, fr: Nom}
    max_length: 20
    scripts: [Arabic, Latin]
    characters: " "
    default: ""
views:
  front:
    label: {en: Front, fr: Face}
    size: [900, 400]
    print: {width: 90, height: 40, bleed: 3}
    layers:
      - tint: {mask: assets/plaque/mask.png, colour: colour}
      - text:
          attribute: name
          box: [50, 50, 800, 300]
          font: assets/fonts/DejaVuSans.ttf
          max_size: 200
          colour: "#1B1F3B"
"""


def plaque(tmp_path: Path, languages: str = "en") -> Product:
    """A plaque printed 90 × 40 mm with a 3 mm bleed, whose name may be written in Arabic."""
    from PIL import Image

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "brand.yaml").write_text(BRAND.format(languages=languages), encoding="utf-8")
    (tmp_path / "plaque.yaml").write_text(PLAQUE, encoding="utf-8")
    (tmp_path / "assets" / "plaque").mkdir(parents=True)
    (tmp_path / "assets" / "fonts").mkdir()
    shutil.copy(ROOT / "catalog" / "assets" / "fonts" / "DejaVuSans.ttf", tmp_path / "assets" / "fonts")
    Image.new("L", (900, 400), 255).save(tmp_path / "assets" / "plaque" / "mask.png")
    return load_catalog(tmp_path).products["plaque"]


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


def fonts_of(pdf: bytes) -> list[DictionaryObject]:
    """The descriptors of every font the pages use."""
    found = []
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            found.append(descendant["/FontDescriptor"].get_object())
    return found


def glyph_names(pdf: bytes) -> set[str]:
    """The names of the glyphs embedded in the files' font subsets."""
    names: set[str] = set()
    for descriptor in fonts_of(pdf):
        font = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        names.update(font.getGlyphOrder())
    return names


def test_the_summary_reads_as_text_with_its_accents_and_counts_graphemes() -> None:
    # Given a mug engraved "Chloé" and "Renée" written with a combining acute accent
    design = MUG.complete({"engraving": "Chloé\nRene\u0301e", "colour": "sage"})
    # When its summary is read back as text
    text = text_of(summary_sheet(MUG, design, FACTS, language="en"))
    # Then both names read exactly as stored, the accent as the combining mark it is
    assert "Chloé" in text
    assert "Rene\u0301e" in text
    # And each counts 5 characters, as the shop counts them (grapheme clusters), never 6
    assert text.count("5 characters") == 2
    assert "6 characters" not in text
    assert "U+0065 U+0301" in text  # the workshop sees what the text is made of
    # And the em dash and the order's facts are text too
    assert "Engraved mug — Production sheet" in text
    assert "B4JW-FJBR" in text
    assert "2 of 3" in text


def test_the_summary_lists_every_choice_with_its_key_and_colours_with_their_hex() -> None:
    design = MUG.complete({"engraving": "Ada", "colour": "sage", "font": "script"})
    text = text_of(summary_sheet(MUG, design, FACTS, language="en"))
    for attribute in MUG.model.attributes:
        assert f"{attribute.label.get('en')} [{attribute.key}]" in text
    assert "Sage green [sage]  #9CAF88" in text
    assert "Quantity\n4" in text or "Quantity 4" in text
    assert "font script (assets/fonts/DejaVuSerif-Italic.ttf)" in text


def test_every_font_is_embedded_as_a_truetype_subset() -> None:
    design = MUG.complete({"engraving": "Chloé", "colour": "sage"})
    for pdf in (summary_sheet(MUG, design, FACTS), print_file(MUG, design, "front")):
        descriptors = fonts_of(pdf)
        assert descriptors
        for descriptor in descriptors:
            assert "/FontFile2" in descriptor
            assert re.fullmatch(r"/[A-Z]{6}\+.+", str(descriptor["/FontName"])), "a subset"


def test_a_view_prints_at_its_size_plus_the_bleed_with_crop_marks(tmp_path: Path) -> None:
    # Given a plaque printed 90 × 40 mm with a 3 mm bleed
    product = plaque(tmp_path)
    pdf = print_file(product, product.complete({"name": "Chloé"}), "front")
    page = reader(pdf).pages[0]
    # Then its one page is 96 × 46 mm, in points, and the trim lies 3 mm inside every edge
    assert len(reader(pdf).pages) == 1
    assert [float(v) for v in page.mediabox] == pytest.approx(
        [0, 0, 96 * POINTS_PER_MM, 46 * POINTS_PER_MM], abs=0.01
    )
    bleed = 3 * POINTS_PER_MM
    assert [float(v) for v in page.trimbox] == pytest.approx(
        [bleed, bleed, 93 * POINTS_PER_MM, 43 * POINTS_PER_MM], abs=0.01
    )
    assert [float(v) for v in page.bleedbox] == [float(v) for v in page.mediabox]
    # And eight crop marks (each drawn white, then black) lie in the bleed, on the trim lines
    content = page.get_contents().get_data().decode("latin-1")
    marks = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content)
    assert len(marks) == 16
    trim_lines = {round(bleed, 1), round(93 * POINTS_PER_MM, 1), round(43 * POINTS_PER_MM, 1)}
    width, height = 96 * POINTS_PER_MM, 46 * POINTS_PER_MM
    for x1, y1, x2, y2 in (tuple(map(float, mark)) for mark in marks):
        # PDF y grows upwards; a mark runs along a trim line, within the bleed, never over the trim
        if x1 == x2:
            assert round(x1, 1) in trim_lines
            assert sorted((y1, y2)) in (
                [0, pytest.approx(bleed - 1 * POINTS_PER_MM, abs=0.01)],
                [pytest.approx(height - bleed + POINTS_PER_MM, abs=0.01), pytest.approx(height, abs=0.01)],
            )
        else:
            assert round(height - y1, 1) in trim_lines
            assert y1 == y2
            assert min(x1, x2) < bleed or max(x1, x2) > width - bleed
    # And the name is on the page as text
    assert text_of(pdf).strip() == "Chloé"


def test_a_view_without_a_print_size_is_printed_at_300_dpi_and_the_sheet_says_so() -> None:
    design = MUG.complete({"engraving": "Ada"})
    page = reader(print_file(MUG, design, "front")).pages[0]
    side = 800 / 300 * 25.4  # 67.7 mm
    assert float(page.mediabox.width) == pytest.approx((round(side, 1) + 6) * POINTS_PER_MM, abs=0.01)
    text = text_of(summary_sheet(MUG, design, FACTS, language="en"))
    assert "67.7 × 67.7 mm, bleed 3 mm" in text
    assert "derived from 800 × 800 pixels at 300 dpi" in text


def test_an_arabic_name_is_embedded_shaped_and_reads_back_in_its_order(tmp_path: Path) -> None:
    # Given a plaque with an Arabic name
    product = plaque(tmp_path)
    design = product.complete({"name": SALAM})
    for pdf in (print_file(product, design, "front"), summary_sheet(product, design, FACTS)):
        # Then the font holds the joined forms HarfBuzz chose: the seen opening the word, lam-alef
        # as one ligature, and none of the lam and alef drawn alone
        names = glyph_names(pdf)
        assert {"uniFEB3", "uniFEFC"} <= names
        assert not {"uni0644", "uni0627"} & names
        # And the text reads back as it was typed, in its logical order
        assert SALAM in text_of(pdf)


def test_the_built_in_font_is_embedded_as_previews_draw_it(tmp_path: Path) -> None:
    # Given a plaque whose name is drawn in the built-in font (no font file)
    product = plaque(tmp_path)
    (tmp_path / "plaque.yaml").write_text(
        PLAQUE.replace("font: assets/fonts/DejaVuSans.ttf", "font: default"), encoding="utf-8"
    )
    product = load_catalog(tmp_path).products["plaque"]
    pdf = print_file(product, product.complete({"name": "Ada"}), "front")
    # Then the name is text in that very font, embedded
    assert text_of(pdf).strip() == "Ada"
    assert [str(d["/FontName"]).split("+")[1] for d in fonts_of(pdf)] == ["Aileron"]


def test_the_same_line_gives_the_same_bytes() -> None:
    design = MUG.complete({"engraving": "Ada", "colour": "ink"})
    assert print_file(MUG, design, "front") == print_file(MUG, design, "front")
    assert summary_sheet(MUG, design, FACTS) == summary_sheet(MUG, design, FACTS)


def test_the_print_size_is_part_of_the_view(tmp_path: Path) -> None:
    view = plaque(tmp_path).model.views[0]
    assert view.printed() == (printing.PrintArea(90.0, 40.0, 3.0), True)
    assert MUG.model.views[0].printed()[1] is False


# -- the workshop's language ------------------------------------------------------------------------


def with_pending_translations(folder: Path) -> Catalogs:
    """The engine's catalogs compiled with the sheet's translations still waiting to be merged
    (rules/locales/print-pending.json), if any: the same texts before and after the merge."""
    locales = ROOT / "rules" / "locales"
    pending_file = locales / "print-pending.json"
    pending = json.loads(pending_file.read_text(encoding="utf-8")) if pending_file.exists() else {}
    for language in LANGUAGES[1:]:
        po = locales / language / "LC_MESSAGES" / "rules.po"
        with po.open("rb") as handle:
            catalog: Catalog = read_po(handle, locale=language)
        for message_id, entry in pending.items():
            if "plural" in entry:
                catalog.add((message_id, entry["plural"]), tuple(entry[language]))
            else:
                catalog.add(message_id, entry[language])
        target = folder / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "rules.mo").open("wb") as handle:
            write_mo(handle, catalog)
    return Catalogs(folder, "rules")


def test_the_workshop_reads_the_sheet_in_the_brands_default_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printing, "RULES", with_pending_translations(tmp_path / "locales"))
    # Given a brand whose first language is French
    product = plaque(tmp_path / "fr", languages="fr, en")
    assert workshop_language(product) == "fr"
    assert workshop_language(MUG) == "en"
    # When the sheet of a plaque is made in the workshop's language
    text = text_of(summary_sheet(product, product.complete({"name": "Chloé"}), FACTS))
    # Then its labels, the product's labels and its numbers are French
    assert "Plaque nominative — Fiche de production" in text
    for label in ("Commande", "Quantité", "Choix", "Couleur [colour]", "Nom [name]"):
        assert label in text
    assert "2 sur 3" in text
    assert "5 caractères" in text
    assert "90 × 40 mm, fond perdu 3 mm" in text
    assert "Production sheet" not in text


def test_the_summary_says_what_making_the_line_takes() -> None:
    # Given four walnut tables that extend, ordered to ship on 16 February 2027
    table = CATALOG.products["dining-table"]
    design = table.complete({"wood": "walnut", "extendable": True, "length": 220, "width": 90})
    facts = replace(FACTS, ships_by=date(2027, 2, 16))
    text = " ".join(text_of(summary_sheet(table, design, facts, language="en")).split())
    # Then the sheet says the SKU, the parts for the whole line, the lead time and one unit's weight
    assert "SKU TBL-WAL-LEG-EXT" in text
    assert "Part SCREW-8 80 (20 per unit)" in text
    assert "Part LEAF 4 (1 per unit)" in text
    assert "Lead time 70 days — February 16, 2027" in text
    assert "Weight of one unit 64.44 kg" in text  # 2.2 m x 0.9 m at 28 kg/m², and the 9 kg leaf
