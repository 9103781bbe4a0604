"""Price tables: amounts by the values of one or more attributes, read from a CSV file next to the
product (metal x ring size, wood x length), one line on the quote; a combination without a row gets
no line, and `rules check` names the valid designs that would."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from rules import load_product
from rules.analysis import analyse
from rules.product import Product

BRAND = 'brand: jeweller\nlabel: Jeweller\ncurrencies: [GBP, EUR]\npalette: {gold: "#D4AF37"}\n'
RING = """\
product: ring
label: Ring
price: {GBP: "100.00", EUR: "120.00"}
attributes:
  metal: {type: choice, options: [silver, gold, platinum], default: silver}
  size: {type: number, min: 5, max: 6, step: 0.5, default: 5}
  engraved: {type: boolean, default: false}
constraints:
  - {id: no-platinum-six, rule: metal == platinum -> size < 6, message: Platinum stops at 5.5.}
prices:
  - label: Metal and size
    table: ring-prices.csv
"""
# What spreadsheets write in France and Germany: semicolons, and decimal commas.
PRICES = "metal;size;GBP;EUR\n" + "".join(
    f"{metal};{str(size).replace('.', ',')};{amount},00;{amount + 20},50\n"
    for (metal, base), size in itertools.product(
        [("silver", 0), ("gold", 300), ("platinum", 500)], [5, 5.5, 6]
    )
    if (amount := base + int(size * 2)) >= 0 and not (metal == "platinum" and size == 6)
)


def ring(tmp_path: Path, prices: str = PRICES) -> Product:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "ring.yaml").write_text(RING, encoding="utf-8")
    (tmp_path / "ring-prices.csv").write_text(prices, encoding="utf-8")
    return load_product(tmp_path / "ring.yaml")


@pytest.mark.parametrize(
    ("metal", "size", "gbp", "eur"),
    [
        ("silver", 5, "10.00", "30.50"),
        ("gold", Decimal("5.5"), "311.00", "331.50"),
        ("gold", 5.5, "311.00", "331.50"),
    ],
)
def test_the_row_of_the_design_is_one_line_in_each_currency(
    tmp_path: Path, metal: str, size: object, gbp: str, eur: str
) -> None:
    product = ring(tmp_path)
    for currency, amount in (("GBP", gbp), ("EUR", eur)):
        lines = product.price({"metal": metal, "size": size, "engraved": False}, currency=currency).lines
        assert [(line.kind, line.label.get(), line.amount) for line in lines[1:]] == [
            ("table", "Metal and size", Decimal(amount))
        ]


def test_every_valid_design_is_priced_by_its_row(tmp_path: Path) -> None:
    product = ring(tmp_path)
    rows = {
        (metal, Decimal(size.replace(",", "."))): Decimal(gbp.replace(",", "."))
        for metal, size, gbp, _ in (line.split(";") for line in PRICES.splitlines()[1:])
    }
    for metal, size in itertools.product(["silver", "gold", "platinum"], [5, Decimal("5.5"), 6]):
        design = {"metal": metal, "size": size, "engraved": False}
        if product.validate(design):
            continue
        table_lines = [line.amount for line in product.price(design).lines if line.kind == "table"]
        assert table_lines == [rows[(metal, Decimal(size))]]


def test_a_combination_without_a_row_gets_no_line_and_rules_check_names_it(tmp_path: Path) -> None:
    without_gold_six = (
        "\n".join(line for line in PRICES.splitlines() if not line.startswith("gold;6;")) + "\n"
    )
    product = ring(tmp_path, without_gold_six)
    lines = product.price({"metal": "gold", "size": 6, "engraved": False}).lines
    assert [line.kind for line in lines] == ["base"]
    (gap,) = [d for d in analyse(product) if d.code == "price-table-gap"]
    assert gap.severity == "warning"
    assert "metal=gold, size=6" in gap.message
    # platinum 6 is no valid design: its missing row is no gap
    assert "platinum" not in gap.message


def test_a_complete_table_draws_no_warning(tmp_path: Path) -> None:
    assert [d for d in analyse(ring(tmp_path)) if d.code == "price-table-gap"] == []
