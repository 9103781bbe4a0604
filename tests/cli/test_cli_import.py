"""`atelier rules import`: options and price tables from merchants' spreadsheets, driven through click's
CliRunner on a copy of the test catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from configurator.cli import main

TEST_CATALOG = Path(__file__).parents[1] / "fixtures" / "catalog"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    return folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_a_semicolon_csv_becomes_the_options_and_the_file_keeps_its_comments(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    # Given a product file with comments, and a French spreadsheet's CSV of its materials
    mug = catalog / "mug.yaml"
    mug.write_text(
        mug.read_text(encoding="utf-8").replace(
            "  material:\n",
            "  # What the mug is made of: imported from materials.csv\n  material:  # keep me\n",
        ),
        encoding="utf-8",
    )
    before = mug.read_text(encoding="utf-8")
    sheet = tmp_path / "materials.csv"
    sheet.write_text(
        "Key;Label EN;label_fr;Price EUR;USD price;SKU;Weight;Lead time;Parts\n"
        "ceramic;Ceramic;Céramique;;;CER;;;\n"
        'enamel;Enamel;Émail;2,00;2,50;ENA;0,4 kg;2 weeks;"RIM x 2; GLAZE"\n'
        ";Bone china;Porcelaine;6,5;7;BONE;;10 days;\n",
        encoding="utf-8",
    )
    # When it is imported into the material attribute
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "material"]
    )
    # Then the options are written, the key of the third made of its English label
    assert result.exit_code == 0, result.output
    assert "3 options of material, new: bone_china" in result.output
    assert "1 product checked: 0 errors" in result.output
    after = mug.read_text(encoding="utf-8")
    assert "      ceramic: {label: {en: Ceramic, fr: Céramique}, sku: CER}\n" in after
    assert "parts: [{part: RIM, quantity: 2}, {part: GLAZE}]" in after
    assert "weight: 0.4 kg" in after
    # an option too long for a line is written a field a line
    assert (
        "      bone_china:\n        label: {en: Bone china, fr: Porcelaine}\n"
        '        price: {EUR: "6.50", USD: "7.00"}\n        sku: BONE\n        lead_time: 10 days\n' in after
    )
    # and everything outside the options is as it was, comments included
    head, tail = before.split("    options:\n", 1)
    assert after.startswith(head)
    assert "  # What the mug is made of: imported from materials.csv\n  material:  # keep me\n" in after
    assert after.endswith(tail[tail.index("    default: ceramic") :])


def test_an_xlsx_sheet_is_read_by_name_and_a_new_attribute_is_a_choice(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    sheet = write_xlsx(
        tmp_path / "handles.xlsx",
        {
            "Notes": [["nothing here"]],
            "Handles": [
                ["key", "en", "fr", "EUR", "USD", "weight g", "Lead time (weeks)"],
                ["round", "Round", "Rond", 0, 0, 20, None],
                ["square", "Square", "Carré", 1.5, 1.75, 25.5, 1],
            ],
        },
    )
    result = runner.invoke(
        main,
        ["rules", "import", str(sheet), "--sheet", "Handles", "--product", str(mug), "--attribute", "handle"],
    )
    assert result.exit_code == 0, result.output
    text = mug.read_text(encoding="utf-8")
    assert (
        "  handle:\n    type: choice\n    options:\n"
        '      round: {label: {en: Round, fr: Rond}, price: {EUR: "0.00", USD: "0.00"}, weight: 20 g}\n'
        "      square:\n        label: {en: Square, fr: Carré}\n"
        '        price: {EUR: "1.50", USD: "1.75"}\n        weight: 25.5 g\n        lead_time: 1 week\n'
        "    default: round\n" in text
    )
    assert "1 product checked: 0 errors" in result.output


@pytest.mark.parametrize(
    ("row", "where", "said", "hint"),
    [
        ("walnut;Walnut;€12.00;13,00;12 kg", "woods.csv:3:3", "has a currency sign", "write `12.00`"),
        (
            "walnut;Walnut;12,345;13,00;12 kg",
            "woods.csv:3:3",
            "more decimals than EUR",
            "write 12,34 or 12,35",
        ),
        (
            "walnut;Walnut;12,00;13,00;12 kilos",
            "woods.csv:3:5",
            "'12 kilos' is not a weight",
            "write `12 kg`",
        ),
        ("oak;Walnut;12,00;13,00;12 kg", "woods.csv:3:1", "'oak' is the key of row 2 too", "its own key"),
        ("walnut;;12,00;13,00;12 kg", "woods.csv:3:2", "the en label is empty", "write the option's name"),
        ("Walnut Tree;Walnut;12,00;13,00;12 kg", "woods.csv:3:1", "not a valid option key", "`walnut_tree`"),
    ],
)
def test_each_mistake_is_located_and_nothing_is_written(
    runner: CliRunner, catalog: Path, tmp_path: Path, row: str, where: str, said: str, hint: str
) -> None:
    mug = catalog / "mug.yaml"
    before = mug.read_bytes()
    sheet = tmp_path / "woods.csv"
    sheet.write_text(f"key;label;EUR;USD;weight\noak;Oak;1,00;1,00;10 kg\n{row}\n", encoding="utf-8")
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "material"]
    )
    assert result.exit_code == 1
    assert f"{where}: error: " in result.output
    line = next(line for line in result.output.splitlines() if line.startswith(where))
    assert said in line
    assert hint in result.output
    assert "nothing was written" in result.output
    assert mug.read_bytes() == before
    assert sorted(p.name for p in catalog.iterdir()) == sorted(p.name for p in TEST_CATALOG.iterdir())


def test_an_unknown_column_is_told_with_the_closest_name_in_a_workbook(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    before = mug.read_bytes()
    sheet = write_xlsx(
        tmp_path / "woods.xlsx",
        {"Sheet1": [["key", "label", "EUR", "USD", "Lead tme"], ["oak", "Oak", 1, 1, "2 weeks"]]},
    )
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "material"]
    )
    assert result.exit_code == 1
    assert "woods.xlsx:Sheet1:E1: error: the column 'Lead tme' is none that an import knows" in result.output
    assert "did you mean `lead_time`?" in result.output
    assert mug.read_bytes() == before


def test_a_workbook_mistake_names_its_sheet_and_cell(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    sheet = write_xlsx(
        tmp_path / "woods.xlsx",
        {"Woods": [["key", "label", "EUR", "USD"], ["oak", "Oak", 1, 1], ["ash", "Ash", "1.00 €", 1]]},
    )
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "material"]
    )
    assert result.exit_code == 1
    assert "woods.xlsx:Woods:C3: error: '1.00 €' has a currency sign" in result.output


def test_a_result_that_would_not_load_writes_nothing(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    # Given a sheet without enamel, which a rule of the mug names
    mug = catalog / "mug.yaml"
    before = mug.read_bytes()
    sheet = tmp_path / "materials.csv"
    sheet.write_text("key,label\nceramic,Ceramic\nporcelain,Porcelain\n", encoding="utf-8")
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "material"]
    )
    assert result.exit_code == 1
    assert f"{mug}:" in result.output
    assert "`enamel` is not an option of `material`" in result.output
    assert "nothing was written" in result.output
    assert mug.read_bytes() == before
    assert not [p for p in catalog.iterdir() if p.name.startswith(".")]


def test_dry_run_prints_and_writes_nothing(runner: CliRunner, catalog: Path, tmp_path: Path) -> None:
    mug = catalog / "mug.yaml"
    before = mug.read_bytes()
    sheet = tmp_path / "fonts.csv"
    sheet.write_text("key\tlabel_en\nserif\tSerif\nscript\tScript\n", encoding="utf-8")
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "font", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "      serif: {label: {en: Serif}}\n      script: {label: {en: Script}}\n" in result.output
    assert mug.read_bytes() == before


def test_a_flow_attribute_is_unfolded_to_hold_its_options(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    text = mug.read_text(encoding="utf-8")
    start = text.index("  font:\n")
    end = text.index("  gift_box:\n")
    mug.write_text(
        text[:start]
        + "  font: {type: choice, options: [serif, script], when: engraving.present, default: serif}"
        + "  # fonts\n"
        + text[end:],
        encoding="utf-8",
    )
    sheet = tmp_path / "fonts.csv"
    sheet.write_text("key,label_en,label_fr\nserif,Serif,Serif\nscript,Script,Cursive\n", encoding="utf-8")
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "font"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "  font:  # fonts\n    type: choice\n    options:\n"
        "      serif: {label: {en: Serif, fr: Serif}}\n      script: {label: {en: Script, fr: Cursive}}\n"
        "    when: engraving.present\n    default: serif\n  gift_box:\n" in mug.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    "pairing",
    [["--sheet", "EUR", "--currency", "EUR", "--sheet", "USD", "--currency", "USD"], []],
    ids=["sheets given", "sheets named by currency"],
)
def test_a_price_grid_per_currency_becomes_a_price_table(
    runner: CliRunner, catalog: Path, tmp_path: Path, pairing: list[str]
) -> None:
    mug = catalog / "mug.yaml"
    grid = write_xlsx(
        tmp_path / "prices.xlsx",
        {
            "EUR": [
                ["material \\ colour", "White", "Ink", "Gold"],
                ["Ceramic", 0, 0, 1],
                ["Enamel", 0, 0.5, 2],
            ],
            "USD": [
                ["material \\ colour", "White", "Ink", "Gold"],
                ["Ceramic", 0, 0, 1.25],
                ["Enamel", 0, 0.6, 2.5],
            ],
        },
    )
    result = runner.invoke(
        main,
        [
            "rules", "import", str(grid), "--product", str(mug), "--price-table", "mug-prices.csv",
            "--label", "Material and glaze", *pairing,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 product checked: 0 errors" in result.output
    assert (catalog / "mug-prices.csv").read_text(encoding="utf-8") == (
        "material,colour,EUR,USD\n"
        "ceramic,white,0.00,0.00\nceramic,ink,0.00,0.00\nceramic,gold,1.00,1.25\n"
        "enamel,white,0.00,0.00\nenamel,ink,0.50,0.60\nenamel,gold,2.00,2.50\n"
    )
    assert "  - {label: Material and glaze, table: mug-prices.csv}\n" in mug.read_text(encoding="utf-8")


def test_a_price_grid_in_one_currency_of_two_is_refused(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    before = mug.read_bytes()
    grid = tmp_path / "grid.csv"
    grid.write_text("material;white;ink\nceramic;0;0\nenamel;1,50;2\n", encoding="utf-8")
    result = runner.invoke(
        main,
        ["rules", "import", str(grid), "--product", str(mug), "--price-table", "p.csv", "--label", "Glaze"],
    )
    assert result.exit_code == 1
    assert "grid.csv:1:1: error: the top-left cell ('material') does not say" in result.output
    assert mug.read_bytes() == before
    assert not (catalog / "p.csv").exists()


def test_a_sheet_in_the_price_tables_shape_is_checked_and_copied(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    sheet = tmp_path / "long.csv"
    sheet.write_text(
        "material;colour;EUR;USD\nceramic;gold;1,00;1,20\nenamel;Gold;2;2,40\nenamel;silver;2;2\n",
        encoding="utf-8",
    )
    args = [
        "rules",
        "import",
        str(sheet),
        "--product",
        str(mug),
        "--price-table",
        "gold.csv",
        "--label",
        "Gold",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "long.csv:4:2: error: 'silver' is not an option of colour" in result.output
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("enamel;silver;2;2\n", ""), encoding="utf-8")
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (catalog / "gold.csv").read_text(encoding="utf-8") == (
        "material,colour,EUR,USD\nceramic,gold,1.00,1.20\nenamel,gold,2.00,2.40\n"
    )


def test_a_file_saved_on_windows_keeps_its_line_ends(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    mug = catalog / "mug.yaml"
    mug.write_bytes(mug.read_bytes().replace(b"\n", b"\r\n"))
    sheet = tmp_path / "fonts.csv"
    sheet.write_text("key,label\nserif,Serif\nscript,Script\n", encoding="utf-8")
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "font"]
    )
    assert result.exit_code == 0, result.output
    data = mug.read_bytes()
    assert b"      serif: {label: {en: Serif}}\r\n      script: {label: {en: Script}}\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_an_attribute_key_that_is_none_is_refused_with_the_key_to_write(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "fonts.csv"
    sheet.write_text("key\nserif\n", encoding="utf-8")
    mug = catalog / "mug.yaml"
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "Gift Box"]
    )
    assert result.exit_code == 2
    assert "write `gift_box` instead" in result.output


def test_an_old_excel_file_is_told_to_be_saved_as_xlsx(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "woods.xls"
    sheet.write_bytes(b"\xd0\xcf\x11\xe0")
    result = runner.invoke(
        main,
        ["rules", "import", str(sheet), "--product", str(catalog / "mug.yaml"), "--attribute", "material"],
    )
    assert result.exit_code == 1
    assert "woods.xls:1:1: error: .xls files are not read" in result.output
    assert "save the workbook as .xlsx" in result.output


def test_errors_of_another_product_do_not_undo_the_import(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    # Given a catalog whose poster has a typo in a rule
    poster = catalog / "poster.yaml"
    poster.write_text(
        poster.read_text(encoding="utf-8").replace("attributes:", "atributes:"), encoding="utf-8"
    )
    sheet = tmp_path / "fonts.csv"
    sheet.write_text("key,label\nserif,Serif\nscript,Script\n", encoding="utf-8")
    mug = catalog / "mug.yaml"
    # When the mug's fonts are imported
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "font"]
    )
    # Then the mug is written, and the check's failure is said to be older than the import
    assert result.exit_code == 1
    assert "found errors before the import too" in result.output
    assert "      serif: {label: {en: Serif}}\n" in mug.read_text(encoding="utf-8")


def test_an_import_that_rules_check_finds_wrong_is_put_back(
    runner: CliRunner, catalog: Path, tmp_path: Path
) -> None:
    # Given sizes in order, and a rule about the big ones that the defaults (s, white) keep
    mug = catalog / "mug.yaml"
    text = mug.read_text(encoding="utf-8")
    text = text.replace(
        "attributes:\n",
        "attributes:\n  size: {type: choice, ordered: true, options: [s, m, l], default: s}\n",
        1,
    )
    text = text.replace(
        "constraints:\n",
        "constraints:\n  - id: big-not-white\n    rule: size >= m -> colour != white\n"
        "    message: {en: Big mugs are not white., fr: Pas de grand mug blanc.}\n",
        1,
    )
    mug.write_text(text, encoding="utf-8")
    before = mug.read_bytes()
    sheet = tmp_path / "sizes.csv"
    sheet.write_text("key\nm\ns\nl\n", encoding="utf-8")
    # When a sheet lists them out of order, which makes the default s a big size
    result = runner.invoke(
        main, ["rules", "import", str(sheet), "--product", str(mug), "--attribute", "size"]
    )
    # Then the check's error is printed and the file is as it was
    assert result.exit_code == 1
    assert "the default design breaks rule “big-not-white”" in result.output
    assert "the file was put back as it was" in result.output
    assert mug.read_bytes() == before
