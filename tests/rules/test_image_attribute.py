"""Image attributes: a shopper's upload as a present/absent variable for rules and prices, a checked
value in designs, and a photo zone in previews (drawn through a resolver, never from the app)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from rules import Product, load_catalog
from rules.model import AttributeKind, ImagePick, PhotoLayer, image_pick
from rules.preview import compose, render

BRAND = """\
brand: northwind
label: Northwind
currencies: [EUR, USD]
"""

PRODUCT = """\
product: photo-board
label: Photo board
price: {EUR: "20.00", USD: "22.00"}
attributes:
  photo:
    type: image
    formats: [png, jpeg]
    min_dpi: 150
    print_size: [100, 50]
    price: {EUR: "5.00", USD: "6.00"}
  frame: {type: boolean, default: false}
  logo: {type: image, print_size: [40, 40], required: true, when: frame}
constraints:
  - rule: frame -> photo.present
    message: A frame needs a photo.
prices:
  - label: Framed photo
    when: frame and photo.present
    add: {EUR: "1.00", USD: "1.00"}
views:
  front:
    size: [400, 200]
    layers:
      - image: base.png
      - photo: {attribute: photo, box: [100, 50, 200, 100], fit: cover}
  framed:
    size: [400, 200]
    layers:
      - photo: {attribute: photo, box: [100, 50, 200, 100], fit: contain}
"""

UPLOAD = "k3J9x0T2mQ8vYb1LcR5sWp4A"


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Product:
    folder = tmp_path_factory.mktemp("catalog")
    (folder / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (folder / "photo-board.yaml").write_text(PRODUCT, encoding="utf-8")
    Image.new("RGBA", (400, 200), (255, 255, 255, 255)).save(folder / "base.png")
    return load_catalog(folder).products["photo-board"]


def photo_bytes(width: int = 400, height: int = 100) -> bytes:
    """A red photo with a blue right half: where it is cut shows in the render."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def uploads(data: bytes) -> dict[str, bytes]:
    return {UPLOAD: data}


# -- language ---------------------------------------------------------------------------------------


def test_image_attribute_and_photo_layer_lower(board: Product) -> None:
    photo = board.model.attribute("photo")
    assert photo is not None
    assert photo.kind is AttributeKind.IMAGE
    assert photo.image is not None
    assert photo.image.formats == ("png", "jpeg")
    assert photo.image.min_dpi == 150
    assert photo.image.print_size == (100.0, 50.0)
    assert photo.image.price == {"EUR": Decimal("5.00"), "USD": Decimal("6.00")}
    assert photo.required is False
    assert photo.default == ""
    front = board.model.view("front")
    assert front is not None
    assert front.layers[1] == PhotoLayer("photo", (100, 50, 200, 100), "cover", None, front.layers[1].source)
    assert board.model.asset_files() == ("base.png",)


def test_image_picks_are_read() -> None:
    assert image_pick(UPLOAD) == ImagePick(UPLOAD, 50.0, 50.0)
    assert image_pick(f"{UPLOAD}@12.5,100") == ImagePick(UPLOAD, 12.5, 100.0)
    for bad in ("", "a/b", "x" * 65, f"{UPLOAD}@", f"{UPLOAD}@101,0", f"{UPLOAD}@-1,0", 3, None):
        assert image_pick(bad) is None


# -- engine -----------------------------------------------------------------------------------------


def test_an_image_is_two_states_for_the_engine(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        'product: p\nlabel: P\nprice: {EUR: "1.00", USD: "1.00"}\n'
        "attributes:\n  photo: {type: image, print_size: [10, 10]}\n",
        encoding="utf-8",
    )
    product = load_catalog(tmp_path).products["p"]
    assert product.count() == 2
    assert product.count({"photo": UPLOAD}) == 1
    assert product.count({"photo": ""}) == 1


def test_rules_and_conditions_read_photo_present(board: Product) -> None:
    # frame -> photo.present: a frame without a photo is out, with one it is in
    without = board.domains({"photo": ""})
    frame = next(o for o in without.attributes["frame"].options if o.key is True)
    assert not frame.available
    assert frame.reason is not None
    assert [r.message.get() for r in frame.reason.rules] == ["A frame needs a photo."]
    with_photo = board.domains({"photo": UPLOAD})
    assert next(o for o in with_photo.attributes["frame"].options if o.key is True).available
    # the photo's own state reads like a text's: it may be given, and may be left empty
    text = with_photo.attributes["photo"].text
    assert text is not None
    assert text.may_be_present
    assert text.may_be_empty
    # `when: frame` makes the logo apply only with a frame
    design = board.complete({"photo": UPLOAD, "frame": True})
    assert design["photo"] == UPLOAD
    assert design["logo"] == ""


# -- designs ----------------------------------------------------------------------------------------


def test_normalize_accepts_upload_ids_only(board: Product) -> None:
    picks, problems = board.normalize({"photo": f"{UPLOAD}@0,100"})
    assert picks == {"photo": f"{UPLOAD}@0,100"}
    assert problems == []
    assert board.normalize({"photo": ""}) == ({"photo": ""}, [])
    for bad in ("../../etc/passwd", "x" * 65, 12, ["a"], f"{UPLOAD}@200,0"):
        picks, problems = board.normalize({"photo": bad})
        assert picks == {}
        assert [(p.kind, p.attributes) for p in problems] == [("invalid", ("photo",))]
        assert "Upload the image" in problems[0].message.get()  # the shopper's way out


def test_validate_asks_for_a_required_image(board: Product) -> None:
    assert board.validate(board.defaults()) == []
    design = board.complete({"photo": UPLOAD, "frame": True})
    assert [(v.kind, v.attributes, v.message.get()) for v in board.validate(design)] == [
        ("missing", ("logo",), "Upload an image for “Logo”.")
    ]
    assert board.validate({**design, "logo": "Zz9"}) == []


def test_the_price_is_added_when_an_image_is_given(board: Product) -> None:
    assert board.price(board.defaults()).unit_price == Decimal("20.00")
    quote = board.price(board.complete({"photo": UPLOAD}), currency="USD")
    assert [(line.kind, line.amount) for line in quote.lines] == [
        ("base", Decimal("22.00")),
        ("image", Decimal("6.00")),
    ]
    framed = board.price({**board.complete({"photo": UPLOAD, "frame": True}), "logo": "Zz9"})
    assert framed.unit_price == Decimal("26.00")  # base, photo, the framed-photo rule


# -- rendering --------------------------------------------------------------------------------------


def pixel(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    return tuple(image.getpixel((x, y)))  # type: ignore[arg-type]


def test_an_upload_is_drawn_inside_its_box_only(board: Product) -> None:
    design = board.complete({"photo": UPLOAD})
    drawn = compose(board.model, design, "front", "production", uploads=uploads(photo_bytes()).get)
    blank = compose(board.model, board.defaults(), "front", "production", uploads=uploads(photo_bytes()).get)
    # inside the box: the photo; outside: the base image, untouched
    assert pixel(drawn, 110, 100)[:3] != (255, 255, 255)
    assert pixel(drawn, 290, 100)[:3] != (255, 255, 255)
    for x, y in ((99, 100), (300, 100), (200, 49), (200, 150), (5, 5)):
        assert pixel(drawn, x, y) == pixel(blank, x, y) == (255, 255, 255, 255)


def test_cover_and_contain_differ(board: Product) -> None:
    design = board.complete({"photo": UPLOAD})
    resolver = uploads(photo_bytes(200, 200)).get
    cover = compose(board.model, design, "front", "production", uploads=resolver)
    contain = compose(board.model, design, "framed", "production", uploads=resolver)
    # a square photo in a 200×100 box: cover fills the box's width, contain leaves its sides empty
    assert pixel(cover, 105, 100)[3] == 255
    assert pixel(contain, 105, 100)[3] == 0
    assert pixel(contain, 200, 100)[3] == 255


def test_the_position_moves_the_photo(board: Product) -> None:
    # a 400×100 photo covering a 200×100 box shows half of it: left half red, right half blue
    resolver = uploads(photo_bytes()).get
    left = compose(board.model, {"photo": f"{UPLOAD}@0,50"}, "front", "production", uploads=resolver)
    right = compose(board.model, {"photo": f"{UPLOAD}@100,50"}, "front", "production", uploads=resolver)
    red, blue = pixel(left, 200, 100), pixel(right, 200, 100)
    assert red[0] > 200
    assert red[2] < 40
    assert blue[2] > 200
    assert blue[0] < 40


def test_a_missing_upload_leaves_the_zone_empty(board: Product) -> None:
    design = board.complete({"photo": UPLOAD})
    empty = render(board, board.defaults(), "front", 256, "png")
    assert render(board, design, "front", 256, "png") == empty  # no resolver
    assert render(board, design, "front", 256, "png", uploads=lambda _: None) == empty  # unknown id
    assert render(board, design, "front", 256, "png", uploads=lambda _: b"<svg/>") == empty  # not an image


def test_renders_with_a_photo_are_deterministic(board: Product) -> None:
    design = board.complete({"photo": f"{UPLOAD}@30,70"})
    resolver = uploads(photo_bytes(640, 480)).get
    first = render(board, design, "front", 512, "webp", uploads=resolver)
    assert render(board, design, "front", 512, "webp", uploads=resolver) == first
    assert first != render(board, board.defaults(), "front", 512, "webp", uploads=resolver)
