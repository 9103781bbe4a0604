"""Previews drawn from the demo catalog, read as a person would: colours land under their mask, text in
its box, overlays where they belong; and the checks `atelier rules check` runs on the files behind them."""

from __future__ import annotations

import colorsys
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from rules import Product, load_catalog
from rules.model import AttributeKind, Value
from rules.preview import (
    PREVIEW_SIZES,
    AssetError,
    MemoryAssets,
    check_views,
    compose,
    content_hash,
    render,
    render_key,
)
from tests.support.catalogs import png_claiming

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "catalog")
MUG = CATALOG.products["engraved-mug"]
CAKE = CATALOG.products["celebration-cake"]
SNEAKER = CATALOG.products["custom-sneaker"]
DEMO = ["engraved-mug", "celebration-cake", "custom-sneaker", "name-bottle"]


def image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def asset(path: str) -> Image.Image:
    return Image.open(ROOT / "catalog" / path)


def hue(rgb: tuple[int, ...]) -> float:
    return colorsys.rgb_to_hsv(*(c / 255 for c in rgb[:3]))[0]


def test_a_colour_change_recolours_only_under_the_mask() -> None:
    # Given the standard mug in snow and in sage, drawn at the view's own size
    snow = compose(MUG.model, MUG.complete({"colour": "snow"}), "front", "production")
    sage = compose(MUG.model, MUG.complete({"colour": "sage"}), "front", "production")
    mask = asset("assets/engraved-mug/standard-mask.png")
    # Then a point on the body turns sage-green, keeping its shading relative to snow
    inside = (420, 600)
    assert mask.getpixel(inside) == 255
    r, g, b, _ = sage.getpixel(inside)
    assert g > max(r, b), "sage is green"
    assert abs(hue((r, g, b)) - hue((0x9C, 0xAF, 0x88))) < 0.03
    assert sage.getpixel(inside) != snow.getpixel(inside)
    # And nothing outside the mask changes
    outside = Image.eval(mask, lambda v: 255 if v == 0 else 0)
    difference = ImageChops.difference(snow, sage).convert("L")
    assert ImageChops.multiply(difference, outside).getbbox() is None


def test_an_engraving_appears_in_its_box_and_nowhere_else() -> None:
    plain = compose(MUG.model, MUG.complete({}), "front", "production")
    engraved = compose(MUG.model, MUG.complete({"engraving": "Best Dad"}), "front", "production")
    changed = ImageChops.difference(plain, engraved).getbbox(alpha_only=False)
    assert changed is not None
    x, y, width, height = 220, 390, 320, 170  # the standard mug's text box in engraved-mug.yaml
    assert x <= changed[0]
    assert y <= changed[1]
    assert changed[2] <= x + width
    assert changed[3] <= y + height


def test_the_font_changes_the_engraving() -> None:
    serif = render(MUG, MUG.complete({"engraving": "Hello", "font": "serif"}), "front", 512, "png")
    sans = render(MUG, MUG.complete({"engraving": "Hello", "font": "sans"}), "front", 512, "png")
    assert serif != sans


def test_an_overlay_option_appears_where_its_image_is() -> None:
    without = compose(CAKE.model, CAKE.complete({"toppings": frozenset()}), "slice", "production")
    berries = compose(CAKE.model, CAKE.complete({"toppings": frozenset({"berries"})}), "slice", "production")
    changed = ImageChops.difference(without, berries).getbbox(alpha_only=False)
    drawn = asset("assets/celebration-cake/topping-berries.png").getchannel("A").getbbox()
    assert changed is not None
    assert drawn is not None
    assert drawn[0] <= changed[0]
    assert drawn[1] <= changed[1]
    assert changed[2] <= drawn[2]
    assert changed[3] <= drawn[3]


def test_a_when_condition_shows_and_hides_a_layer() -> None:
    plain = render(MUG, MUG.complete({"gift_box": False}), "front", 256, "png")
    gift = render(MUG, MUG.complete({"gift_box": True}), "front", 256, "png")
    assert plain != gift


def test_renders_are_deterministic_in_both_formats() -> None:
    design = CAKE.complete({"message": "Happy birthday", "tiers": 2, "size": "medium"})
    for fmt in ("png", "webp"):
        assert render(CAKE, design, "front", 512, fmt) == render(CAKE, design, "front", 512, fmt)
    png = render(CAKE, design, "front", 512, "png")
    webp = render(CAKE, design, "front", 512, "webp")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert webp[:4] == b"RIFF"
    assert webp[8:12] == b"WEBP"
    assert image(webp).size == image(png).size == (512, 512)


@pytest.mark.parametrize("size", [*PREVIEW_SIZES, "production"])
def test_sizes_keep_the_views_proportions(size: int | str) -> None:
    drawn = image(render(SNEAKER, SNEAKER.defaults(), "side", size, "png"))  # type: ignore[arg-type]
    expected = (900, 540) if size == "production" else (int(size), round(int(size) * 540 / 900))
    assert drawn.size == expected


def test_caller_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="no view 'back'"):
        render(MUG, MUG.defaults(), "back", 256, "png")
    with pytest.raises(ValueError, match="size must be one of"):
        render(MUG, MUG.defaults(), "front", 300, "png")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format must be one of"):
        render(MUG, MUG.defaults(), "front", 256, "jpeg")


def test_odd_values_draw_as_not_chosen() -> None:
    design: dict[str, object] = {
        **MUG.defaults(),
        "colour": "mauve",
        "size": 3,
        "engraving": "x" * 10_000 + "\n" * 50,
        "font": None,
    }
    assert render(MUG, design, "front", 256, "png").startswith(b"\x89PNG")


def test_render_keys_are_canonical() -> None:
    design: dict[str, Value] = {"toppings": frozenset({"berries", "sprinkles"}), "size": "small"}
    same: dict[str, Value] = {"size": "small", "toppings": frozenset({"sprinkles", "berries"})}
    key = render_key("abc", design, "front", 512, "png")
    assert key == render_key("abc", same, "front", 512, "png")
    assert len(key) == 64
    others = {
        render_key("abd", design, "front", 512, "png"),
        render_key("abc", {**design, "size": "large"}, "front", 512, "png"),
        render_key("abc", design, "slice", 512, "png"),
        render_key("abc", design, "front", 256, "png"),
        render_key("abc", design, "front", 512, "webp"),
    }
    assert key not in others
    assert len(others) == 5


def test_assets_from_memory_draw_the_same(tmp_path: Path) -> None:
    files = {path: (ROOT / "catalog" / path).read_bytes() for path in MUG.model.asset_files()}
    design = MUG.complete({"colour": "ink", "engraving": "Hi"})
    assert render(MUG, design, "front", 256, "png", assets=MemoryAssets(files)) == render(
        MUG, design, "front", 256, "png"
    )
    assert content_hash(MUG, MemoryAssets(files)) == content_hash(MUG)
    files.pop("assets/engraved-mug/standard.png")
    assert content_hash(MUG, MemoryAssets(files)) != content_hash(MUG)
    with pytest.raises(AssetError, match="does not exist"):
        render(MUG, design, "front", 256, "png", assets=MemoryAssets(files))


# -- random designs -------------------------------------------------------------------------------


def picks_for(product: Product) -> st.SearchStrategy[dict[str, Value]]:
    """Random picks for some attributes (completed by the product into a whole design)."""
    choices: dict[str, st.SearchStrategy[Value]] = {}
    for attribute in product.model.attributes:
        if attribute.kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
            choices[attribute.key] = st.sampled_from([o.key for o in attribute.options])
        elif attribute.kind is AttributeKind.MULTI:
            keys = [o.key for o in attribute.options]
            choices[attribute.key] = st.frozensets(
                st.sampled_from(keys), max_size=attribute.max_count or len(keys)
            )
        elif attribute.kind is AttributeKind.NUMBER:
            choices[attribute.key] = st.sampled_from(list(attribute.number_values()))
        elif attribute.kind is AttributeKind.BOOLEAN:
            choices[attribute.key] = st.booleans()
        elif attribute.kind is AttributeKind.IMAGE:
            choices[attribute.key] = st.sampled_from(["", "k3J9x0T2mQ8v", "k3J9x0T2mQ8v@0,100"])
        else:
            assert attribute.text is not None
            choices[attribute.key] = st.text(
                st.sampled_from("abcdeéWMQ -'&1"), max_size=attribute.text.max_length
            ) | st.just("")
    return st.fixed_dictionaries({}, optional=choices)


@pytest.mark.parametrize("key", DEMO)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_designs_render(key: str, data: st.DataObject) -> None:
    product = CATALOG.products[key]
    design = product.complete(data.draw(picks_for(product)))
    for view in product.model.views:
        assert image(render(product, design, view.key, 256, "png")).size[0] <= 256


# -- checks ---------------------------------------------------------------------------------------

BRAND = 'brand: b\nlabel: B\ncurrencies: [EUR]\npalette: {white: "#FFFFFF", ink: "#1B1F3B"}\n'
PRODUCT = """\
product: cup
label: Cup
price: {EUR: "10.00"}
attributes:
  colour: {type: colour, options: [white, ink], default: white}
  engraving: {type: text, max_length: 20}
views:
  front:
    size: [200, 100]
    layers:
      - image: assets/base.png
      - tint: {mask: assets/mask.png, colour: colour}
      - text: {attribute: engraving, box: [5, 10, 190, 40], font: default, min_size: 8}
"""


def catalog(
    tmp_path: Path, product: str = PRODUCT, base: tuple[int, int] = (200, 100), mask_mode: str = "L"
) -> Path:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "cup.yaml").write_text(product, encoding="utf-8")
    (tmp_path / "assets").mkdir()
    Image.new("RGBA", base, (128, 128, 128, 255)).save(tmp_path / "assets" / "base.png")
    Image.new(mask_mode, (200, 100), 255 if mask_mode == "L" else (255, 255, 255)).save(
        tmp_path / "assets" / "mask.png"
    )
    return tmp_path


def messages(folder: Path) -> list[str]:
    product = load_catalog(folder).products["cup"]
    return [str(d).replace(f"{folder}/", "") for d in check_views(product)]


def test_a_good_product_checks_clean(tmp_path: Path) -> None:
    assert messages(catalog(tmp_path)) == []


def test_a_missing_asset(tmp_path: Path) -> None:
    folder = catalog(tmp_path)
    (folder / "assets" / "base.png").unlink()
    (found,) = messages(folder)
    assert found.startswith(
        "cup.yaml:11:9: error: the image of layer 1 of view 'front' 'assets/base.png' cannot be"
    )
    assert "hint: create" in found
    assert "assets/base.png" in found


def test_an_image_of_the_wrong_size(tmp_path: Path) -> None:
    assert messages(catalog(tmp_path, base=(300, 150))) == [
        "cup.yaml:11:9: error: the image 'assets/base.png' of layer 1 of view 'front' is 300×150, "
        "but view 'front' is 200×100\n"
        "  hint: resize it to 200×100, or write `size: [300, 150]` in view 'front' "
        "if that is the size you mean"
    ]


def test_a_mask_that_is_not_greyscale(tmp_path: Path) -> None:
    assert messages(catalog(tmp_path, mask_mode="RGB")) == [
        "cup.yaml:12:9: error: the mask 'assets/mask.png' of layer 2 of view 'front' is in mode RGB, "
        "not greyscale\n"
        "  hint: save it as 8-bit greyscale (mode L): white where the colour goes, black elsewhere"
    ]


def test_a_file_that_is_not_a_png(tmp_path: Path) -> None:
    folder = catalog(tmp_path)
    (folder / "assets" / "mask.png").write_bytes(b"GIF89a not really")
    (found,) = messages(folder)
    assert found.startswith(
        "cup.yaml:12:9: error: the mask 'assets/mask.png' of layer 2 of view 'front' does not open"
    )


UNUSABLE = {
    "GIF": (Image.new("RGB", (200, 100)), "GIF", "it is a GIF image, not a PNG image"),
    "JPEG": (Image.new("RGB", (200, 100)), "JPEG", "it is a JPEG image, not a PNG image"),
}


@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_a_file_named_png_says_what_it_is(tmp_path: Path, kind: str) -> None:
    picture, fmt, said = UNUSABLE[kind]
    folder = catalog(tmp_path)
    picture.save(folder / "assets" / "base.png", fmt)
    (found,) = messages(folder)
    assert f"does not open: {said}\n  hint: save it as a PNG file" in found


def test_an_svg_named_png_says_so(tmp_path: Path) -> None:
    folder = catalog(tmp_path)
    (folder / "assets" / "base.png").write_bytes(b'<?xml version="1.0"?>\n<svg xmlns="x"/>')
    (found,) = messages(folder)
    assert "does not open: it is an SVG drawing, not a PNG image" in found


def test_a_png_declaring_more_pixels_than_a_view_asks_for_the_views_size(tmp_path: Path) -> None:
    folder = catalog(tmp_path)
    (folder / "assets" / "base.png").write_bytes(png_claiming(30000, 30000))
    (found,) = messages(folder)
    assert "does not open: it declares more pixels than a view can have" in found
    assert "hint: save it as a PNG of 200×100 pixels, the size of view 'front'" in found


@pytest.mark.parametrize("data", [png_claiming(30000, 30000), png_claiming(5000, 5000), b"GIF89a", b"<svg/>"])
def test_rendering_with_an_unusable_file_raises_asset_error_only(tmp_path: Path, data: bytes) -> None:
    # A version stored before publishing checked its files still draws nothing but this error.
    product = load_catalog(catalog(tmp_path)).products["cup"]
    files = {path: (tmp_path / path).read_bytes() for path in product.model.asset_files()}
    files["assets/base.png"] = data
    with pytest.raises(AssetError) as raised:
        render(product, product.defaults(), "front", 256, "png", assets=MemoryAssets(files))
    assert raised.value.path == "assets/base.png"


def test_a_catalog_is_analysed_once_per_content_and_again_when_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rules import analysis

    folder = catalog(tmp_path)
    runs: list[str] = []
    real = analysis._analyse
    monkeypatch.setattr(
        analysis, "_analyse", lambda product, assets: runs.append(product.model.key) or real(product, assets)
    )
    # Checked twice unchanged (as the demo is published at every start): analysed once
    assert analysis.check_catalog(load_catalog(folder)).errors == ()
    assert analysis.check_catalog(load_catalog(folder)).errors == ()
    assert runs == ["cup"]
    # A file changed under the same name is analysed again, and refused
    Image.new("RGB", (200, 100)).save(folder / "assets" / "base.png", "GIF")
    [error] = analysis.check_catalog(load_catalog(folder)).errors
    assert "it is a GIF image" in error.message
    assert runs == ["cup", "cup"]


def test_text_that_does_not_fit_says_how_many_characters_do(tmp_path: Path) -> None:
    narrow = PRODUCT.replace("box: [5, 10, 190, 40]", "box: [5, 10, 100, 40]")
    (found,) = messages(catalog(tmp_path, narrow))
    assert found.startswith(
        "cup.yaml:13:9: error: 20 characters of 'engraving' do not fit the text box "
        "of layer 3 of view 'front' "
        "in font default at min_size 8: only "
    )
    fit = int(found.split("only ")[1].split()[0])
    assert 0 < fit < 20
    assert f"allow at most {fit} characters" in found


def test_a_font_without_the_letters_of_a_script_the_text_accepts_is_named(tmp_path: Path) -> None:
    # Pillow's built-in font draws A to Z but no accented letter, and no Arabic at all
    policy = PRODUCT.replace(
        "engraving: {type: text, max_length: 20}",
        'engraving: {type: text, max_length: 4, scripts: [Latin, Arabic], characters: " &"}',
    )
    latin, arabic = messages(catalog(tmp_path, policy))
    assert latin.startswith(
        "cup.yaml:13:9: warning: font default of layer 3 of view 'front' has no glyph for 192 of the 244 "
        "Latin letters that 'engraving' accepts: ª º À Á Â Ã Ä Å Æ Ç È É …"
    )
    assert "hint: use a font that covers Latin, or take Latin out of the text's `scripts`" in latin
    assert arabic.startswith(
        "cup.yaml:13:9: warning: font default of layer 3 of view 'front' "
        "has no glyph for 36 of the 36 Arabic letters"
    )


def test_a_font_that_covers_every_script_the_text_accepts_checks_clean(tmp_path: Path) -> None:
    folder = catalog(
        tmp_path,
        PRODUCT.replace(
            "engraving: {type: text, max_length: 20}",
            "engraving: {type: text, max_length: 4, scripts: [Latin, Greek, Cyrillic, Hebrew, Arabic]}",
        ).replace("font: default", "font: assets/sans.ttf"),
    )
    shutil.copy(ROOT / "catalog" / "assets" / "fonts" / "DejaVuSans.ttf", folder / "assets" / "sans.ttf")
    assert messages(folder) == []


def test_the_demo_catalog_checks_clean() -> None:
    for key in DEMO:
        assert check_views(CATALOG.products[key]) == [], key
