"""Spreadsheets read for `atelier rules import` (rules.language.spreadsheet) and the product file's text
edited around them (rules.language.yamledit), without the app."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.language.spreadsheet import Option, SheetInvalid, read_options, read_price_grid, read_sheet
from rules.language.yamledit import EditRefused, set_options, set_price_table


def only_option(tmp_path: Path, header: str, cell: str) -> Option:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"key;{header}\nwalnut;{cell}\n", encoding="utf-8")
    (option,) = read_options(read_sheet(sheet), ("EUR",), ("en", "fr")).options
    return option


@pytest.mark.parametrize(
    ("header", "cell", "field", "value"),
    [
        ("Price EUR", "2,5", "price", {"EUR": Decimal("2.50")}),
        ("EUR price", "2", "price", {"EUR": Decimal("2.00")}),
        ("price (EUR)", "2", "price", {"EUR": Decimal("2.00")}),
        ("Price in EUR", "2", "price", {"EUR": Decimal("2.00")}),
        ("€", "2", "price", {"EUR": Decimal("2.00")}),
        ("Price", "2", "price", {"EUR": Decimal("2.00")}),
        ("Label FR", "Noyer", "label", {"fr": "Noyer"}),
        ("label_fr", "Noyer", "label", {"fr": "Noyer"}),
        ("fr", "Noyer", "label", {"fr": "Noyer"}),
        ("Name", "Walnut", "label", {"en": "Walnut"}),
        ("Lead time", "10 days", "lead_time", "10 days"),
        ("LEAD-TIME (weeks)", "6", "lead_time", "6 weeks"),
        ("Lead time (weeks)", "1", "lead_time", "1 week"),
        ("Lead days", "3", "lead_time", "3 days"),
        ("Weight kg", "1,5", "weight", "1.5 kg"),
        ("Weight", "12 kg", "weight", "12 kg"),
        ("SKU", "WAL", "sku", "WAL"),
        ("Picture", "assets\\woods\\walnut.jpg", "image", "assets/woods/walnut.jpg"),
        ("Bill of materials", '"TOP-WAL; 4 x LEG, SCREW*16"', "parts", [
            ("TOP-WAL", Decimal(1)), ("LEG", Decimal(4)), ("SCREW", Decimal(16))
        ]),
    ],
)  # fmt: skip
def test_columns_are_known_by_the_names_merchants_give_them(
    tmp_path: Path, header: str, cell: str, field: str, value: object
) -> None:
    assert getattr(only_option(tmp_path, header, cell), field) == value


def mistakes(tmp_path: Path, text: str) -> list[str]:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(text, encoding="utf-8")
    with pytest.raises(SheetInvalid) as raised:
        read_options(read_sheet(sheet), ("EUR", "GBP"), ("en", "fr"))
    return [str(error) for error in raised.value.errors]


def test_a_price_in_one_currency_of_two_is_located_at_the_empty_cell(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, "key,EUR,GBP\noak,1.00,\n")
    assert found.startswith("sheet.csv:2:3: error: this option has a price in EUR but none in GBP")


def test_a_sheet_without_the_brands_other_currency_is_told_so(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, "key,EUR\noak,1.00\n")
    assert "none in GBP" in found
    assert "add a column for GBP" in found


def test_a_currency_the_brand_does_not_sell_in_is_not_an_unknown_column(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, "key,EUR,GBP,USD\noak,1,1,1\n")
    assert "sheet.csv:1:4: error: USD is not one of the brand's currencies (EUR, GBP)" in found


def test_a_picture_outside_the_catalog_folder_is_refused(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, "key,image\noak,../oak.png\n")
    assert found.startswith("sheet.csv:2:2: error: '../oak.png' is not a picture's path")


def test_a_thousands_separator_is_told_to_go(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, 'key,EUR,GBP\noak,"1,800.00",1\n')
    assert "write `1800.00`, without a thousands separator" in found


def test_a_key_made_of_a_label_drops_accents(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("label_fr,label_en\nChêne,Light Oak\nÉrable,Maple\n", encoding="utf-8")
    read = read_options(read_sheet(sheet), ("EUR",), ("en", "fr"))
    assert [o.key for o in read.options] == ["light_oak", "maple"]
    assert read.fields == {"label"}


def test_a_sheet_without_names_for_its_options_is_told_so(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, "EUR,GBP\n1,1\n")
    assert found.startswith("sheet.csv:1:1: error: the sheet has neither a key column nor a label column")


def test_a_sheet_of_only_a_header_has_no_options(tmp_path: Path) -> None:
    (found,) = mistakes(tmp_path, "key,EUR,GBP\n")
    assert "the sheet has a header but no rows" in found


# Editing the product file's text --------------------------------------------------------------------

PRODUCT = """\
product: table  # a comment
attributes:
  wood:
    type: choice
    help: |
      Solid wood,
      oiled.
    options:   # from the sheet
      - oak
      - ash
    default: oak
  # legs next
  legs: {type: number, min: 2, max: 4, default: 4}
"""


def test_options_written_as_a_list_are_replaced_and_the_rest_kept() -> None:
    edited = set_options(PRODUCT, "wood", ["oak: {sku: OAK}", "ash: {sku: ASH}"])
    assert edited == PRODUCT.replace(
        "    options:   # from the sheet\n      - oak\n      - ash\n",
        "    options:  # from the sheet\n      oak: {sku: OAK}\n      ash: {sku: ASH}\n",
    )


def test_an_attribute_without_options_gets_them_after_its_last_field() -> None:
    edited = set_options(PRODUCT.replace("    default: oak\n", ""), "legs", ["x: {sku: X}"])
    assert "  legs:\n    type: number\n" in edited
    text = PRODUCT.replace(
        "  legs: {type: number, min: 2, max: 4, default: 4}\n", "  legs:\n    type: choice\n"
    )
    assert set_options(text, "legs", ["two:"]).endswith(
        "  legs:\n    type: choice\n    options:\n      two:\n"
    )


def test_a_new_attribute_goes_after_the_last_one_a_block_scalar_included() -> None:
    text = PRODUCT.replace("  # legs next\n  legs: {type: number, min: 2, max: 4, default: 4}\n", "")
    edited = set_options(text, "finish", ["oil:", "wax:"], default="oil")
    assert (
        edited
        == text + "  finish:\n    type: choice\n    options:\n      oil:\n      wax:\n    default: oil\n"
    )


def test_a_file_without_attributes_gets_them_at_its_end() -> None:
    edited = set_options("product: x\nprice: {EUR: '1.00'}", "size", ["s:"], default="s")
    assert edited == (
        "product: x\nprice: {EUR: '1.00'}\nattributes:\n  size:\n    type: choice\n    options:\n      s:\n"
        "    default: s\n"
    )


def test_attributes_on_one_line_are_refused_with_what_to_do() -> None:
    with pytest.raises(EditRefused, match="write it as a block"):
        set_options("product: x\nattributes: {size: {type: choice, options: [s]}}\n", "size", ["s:"])


def test_a_price_table_line_is_added_once_at_the_lists_indentation() -> None:
    text = (
        "product: x\nprices:\n    - {label: Gold, when: metal == gold, add: {EUR: '1'}}\nquantity_tiers: []\n"
    )
    edited = set_price_table(text, "ring.csv", "Metal and size")
    assert edited == text.replace(
        "quantity_tiers", "    - {label: Metal and size, table: ring.csv}\nquantity_tiers"
    )
    assert set_price_table(edited, "ring.csv", "Metal and size") == edited
    assert (
        set_price_table("product: x\n", "r.csv", "R") == "product: x\nprices:\n  - {label: R, table: r.csv}\n"
    )


def test_a_grid_keyed_by_labels_and_numbers_becomes_the_tables_rows(tmp_path: Path) -> None:
    sheet = tmp_path / "grid.csv"
    sheet.write_text("metal / size;5;5,5\nSilver;0;0\nRose gold;310;320,5\n", encoding="utf-8")
    table = read_price_grid(
        [read_sheet(sheet)], ("EUR",), [], {"metal": {"silver", "rose_gold"}, "size": set()}
    )
    assert table == (
        "metal,size,EUR\nsilver,5,0.00\nsilver,5.5,0.00\nrose_gold,5,310.00\nrose_gold,5.5,320.50\n"
    )


def test_a_grid_names_an_attribute_the_product_lacks_with_the_closest(tmp_path: Path) -> None:
    sheet = tmp_path / "grid.csv"
    sheet.write_text("metals \\ size,5\nsilver,0\n", encoding="utf-8")
    with pytest.raises(SheetInvalid) as raised:
        read_price_grid([read_sheet(sheet)], ("EUR",), [], {"metal": {"silver"}, "size": set()})
    (found,) = [str(e) for e in raised.value.errors]
    assert found.startswith("grid.csv:1:1: error: the product has no attribute 'metals'")
    assert "did you mean `metal`?" in found
