"""`views:` in product files: what lowers into the model, and every mistake with its line:column and hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import CatalogError
from rules.language import load_catalog
from rules.model import DEFAULT_FONT, OverlayLayer, TextLayer, TintLayer

BRAND = """\
brand: northwind
label: Northwind
currencies: [EUR]
palette:
  white: "#FFFFFF"
  ink: "#1B1F3B"
"""

PRODUCT = """\
product: mug
label: Mug
price: {EUR: "10.00"}
attributes:
  colour: {type: colour, options: [white, ink], default: white}
  size: {type: choice, options: [small, large], default: small}
  font: {type: choice, options: [serif, sans], default: serif}
  toppings: {type: multi, options: [a, b]}
  engraving: {type: text, max_length: 12}
  gift: {type: boolean, default: false}
"""


def load(tmp_path: Path, views: str) -> CatalogError | None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(PRODUCT + views, encoding="utf-8")
    try:
        load_catalog(tmp_path)
    except CatalogError as error:
        return error
    return None


def messages(error: CatalogError | None, folder: Path) -> str:
    assert error is not None, "the catalog loaded without errors"
    return "\n".join(str(d).replace(f"{folder}/", "") for d in error.diagnostics)


def test_views_lower_into_the_model(tmp_path: Path) -> None:
    # Given a product with one view of every kind of layer
    views = """\
views:
  front:
    size: [400, 300]
    layers:
      - image: assets/mug/base.png
      - tint: {mask: ./assets//mug/mask.png, colour: colour, when: size == large}
      - overlay: {attribute: toppings, images: {a: assets/mug/a.png}}
      - overlay: {image: assets/mug/gift.png, when: gift}
      - text:
          attribute: engraving
          box: [10, 20, 200, 100]
          font_attribute: font
          fonts: {serif: assets/fonts/serif.ttf, sans: default}
          colour: {attribute: colour}
          arc: 20
"""
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(PRODUCT + views, encoding="utf-8")
    # When it is loaded
    _, products, _ = load_catalog(tmp_path)
    model = products["mug"]
    # Then the view and its layers are in the model, with canonical asset paths
    (view,) = model.views
    assert (view.key, view.size, view.label.get()) == ("front", (400, 300), "Front")
    tint = view.layers[1]
    assert isinstance(tint, TintLayer)
    assert tint.mask == "assets/mug/mask.png"
    assert tint.colour == "colour"
    assert tint.when is not None
    assert str(tint.when) == "size == large"
    overlay = view.layers[3]
    assert isinstance(overlay, OverlayLayer)
    assert overlay.attribute is None
    assert overlay.images == {"": "assets/mug/gift.png"}
    text = view.layers[4]
    assert isinstance(text, TextLayer)
    assert (text.box, text.min_size, text.max_size, text.align, text.arc) == (
        (10, 20, 200, 100),
        12,
        96,
        "center",
        20,
    )
    assert text.fonts == {"serif": "assets/fonts/serif.ttf", "sans": DEFAULT_FONT}
    assert text.colour_attribute == "colour"
    assert model.asset_files() == (
        "assets/fonts/serif.ttf",
        "assets/mug/a.png",
        "assets/mug/base.png",
        "assets/mug/gift.png",
        "assets/mug/mask.png",
    )
    assert model.view("front") is view
    assert model.view("side") is None


CASES = [
    (
        "unknown attribute in a tint",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - tint: {mask: m.png, colour: colour_}
""",
        "mug.yaml:15:37: error: unknown attribute `colour_` in `colour` of the tint "
        "of layer 1 of view 'front'\n"
        "  hint: did you mean `colour`?",
    ),
    (
        "a tint colour that is not a colour attribute",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - tint: {mask: m.png, colour: size}
""",
        "mug.yaml:15:37: error: `colour` of the tint of layer 1 of view 'front' must be a colour attribute, "
        "but `size` is a choice attribute\n"
        "  hint: use one of the colour attributes: `colour`",
    ),
    (
        "an image for an option the attribute does not have",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - overlay:
          attribute: size
          images: {small: s.png, lrage: l.png}
""",
        "mug.yaml:17:34: error: 'lrage' in the `images` of the overlay of layer 1 of view 'front' is not an "
        "option of `size`\n"
        "  hint: did you mean `large`?",
    ),
    (
        "a text zone on a choice attribute",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - text: {attribute: font, box: [0, 0, 100, 50]}
""",
        "mug.yaml:15:27: error: `attribute` of the text of layer 1 of view 'front' must be a text attribute, "
        "but `font` is a choice attribute\n"
        "  hint: use one of the text attributes: `engraving`",
    ),
    (
        "a box outside the view",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - text: {attribute: engraving, box: [300, 250, 200, 100]}
""",
        "mug.yaml:15:43: error: the box of the text of layer 1 of view 'front' goes outside "
        "the 400×300 view: "
        "it reaches x=500, y=350\n"
        "  hint: keep x + width ≤ 400 and y + height ≤ 300, e.g. `box: [300, 250, 100, 50]`",
    ),
    (
        "absolute and escaping asset paths",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - image: /etc/base.png
      - image: ../other/base.png
""",
        "mug.yaml:15:16: error: the image of layer 1 of view 'front' is an absolute path: '/etc/base.png'\n"
        "  hint: write the path relative to the catalog folder, with / between folders, "
        "e.g. `assets/engraved-mug/body.png`\n"
        "mug.yaml:16:16: error: the image of layer 2 of view 'front' is a path that leaves "
        "the catalog folder "
        "(`..`): '../other/base.png'\n"
        "  hint: write the path relative to the catalog folder, with / between folders, "
        "e.g. `assets/engraved-mug/body.png`",
    ),
    (
        "a font missing for an option",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - text: {attribute: engraving, box: [0, 0, 100, 50], font_attribute: font, fonts: {serif: default}}
""",
        "mug.yaml:15:82: error: the `fonts` of the text of layer 1 of view 'front' have no font for option "
        "'sans' of `font`\n"
        "  hint: add `sans: default` (or a font file)",
    ),
    (
        "an unknown name in a layer's when",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - overlay: {image: g.png, when: gfit}
""",
        "mug.yaml:15:39: error: unknown attribute `gfit`\n  hint: did you mean `gift`?",
    ),
    (
        "two kinds in one layer",
        """\
views:
  front:
    size: [400, 300]
    layers:
      - {image: b.png, tint: {mask: m.png, colour: colour}}
""",
        "mug.yaml:15:24: error: layer 1 of view 'front' has both `image` and `tint`; write only one\n"
        "  hint: remove `tint`, or move it to a separate entry",
    ),
    (
        "a mask that is not a PNG and a view without size",
        """\
views:
  front:
    layers:
      - tint: {mask: m.jpg, colour: colour}
""",
        "mug.yaml:12:3: error: view 'front' is missing `size`\n"
        "  hint: add `size: [800, 800]`\n"
        "mug.yaml:14:22: error: `mask` of the tint of layer 1 of view 'front' must be a PNG file path "
        "relative to the catalog folder, like assets/mug/body.png, not 'm.jpg'\n"
        "  hint: write e.g. `mask: assets/engraved-mug/body-mask.png`",
    ),
]


@pytest.mark.parametrize(("views", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_view_mistakes(tmp_path: Path, views: str, expected: str) -> None:
    # Given a view with a mistake, when the catalog is loaded, then it is reported where it was written
    assert messages(load(tmp_path, views), tmp_path) == expected
