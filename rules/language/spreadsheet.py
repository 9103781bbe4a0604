"""Merchants' spreadsheets (CSV or XLSX) read into options and price tables, every mistake located.

A sheet has a header row naming its columns the way merchants name them ("Price EUR", "Lead time",
"label_fr"), then one row per option. What is read is checked against the same patterns as the
product language (`rules.language.fields`), so what an import writes loads.

>>> normal_name(" Price (EUR) "), normal_name("lead_time"), normal_name("Label-FR")
('price eur', 'lead time', 'label fr')
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final

from babel import Locale, UnknownLocaleError

from rules.language import fields as f

# The language's own spellings of units and its hint for a misspelt one, so a sheet and a YAML file
# are told the same.
from rules.language.check import did_you_mean, quantity_hint
from rules.language.registry import CURRENCIES
from rules.money import MoneyError, minor_units, uncharged

MAX_SHEET_BYTES = 32 * 1024 * 1024
MAX_ERRORS = 50
SEPARATORS: Final = {",": "commas", ";": "semicolons", "\t": "tabs"}
# Signs merchants type in amounts; the column already says the currency.
_MONEY_SIGNS = "€£$¥₹₣"
_SYMBOLS: Final = {"€": "EUR", "£": "GBP", "$": "USD", "¥": "JPY"}
_KEY_NAMES = ("key", "option", "option key", "id")
_LABEL_NAMES = ("label", "name", "title")
_SKU_NAMES = ("sku", "reference", "ref", "article")
_WEIGHT_NAMES = ("weight",)
_LEAD_NAMES = ("lead time", "leadtime", "lead", "delay")  # each may end in its unit: lead time weeks
_PARTS_NAMES = ("parts", "bom", "bill of materials", "part")
_IMAGE_NAMES = ("image", "picture", "photo", "swatch")
_WEIGHT_UNIT = re.compile(r"(g|kg|lb|oz|grams|kilos|kilograms|pounds|ounces)")
_TIME_UNIT = re.compile(r"(days?|weeks?)")
_UNIT_SPELLING: Final = {"grams": "g", "kilos": "kg", "kilograms": "kg", "pounds": "lb", "ounces": "oz"}


def normal_name(name: str) -> str:
    """A column's name as compared: lower case, punctuation and underscores as single spaces."""
    return " ".join(re.sub(r"[_\-.()\[\]/:]+", " ", name.strip().lower()).split())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 1-based column: 1 -> A, 28 -> AB.

    >>> column_letter(1), column_letter(26), column_letter(28)
    ('A', 'Z', 'AB')
    """
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Place:
    """Where a cell is: `woods.xlsx:Sheet1:B7` in a workbook, `woods.csv:7:2` (line, column) in a CSV."""

    file: str
    row: int
    column: int
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"{self.file}:{self.sheet}:{column_letter(self.column)}{self.row}"
        return f"{self.file}:{self.row}:{self.column}"


@dataclass(frozen=True)
class SheetError:
    """A mistake in a sheet, where it is, and what to write instead."""

    at: Place
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.at}: error: {self.message}\n  hint: {self.hint}"


class SheetInvalid(Exception):
    """The sheet has mistakes: every one of them, in sheet order."""

    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Cell:
    """A cell's text as the merchant wrote it (a number as its shortest decimal) and its place."""

    text: str
    at: Place


@dataclass(frozen=True)
class Sheet:
    """A header row and the rows below it, blank rows left out."""

    name: str  # how messages name it: the file, with the workbook's sheet
    header: list[Cell]
    rows: list[list[Cell]]
    decimal_comma: bool  # a semicolon- or tab-separated file from a spreadsheet writing 18,5


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """Read a CSV or XLSX file's header and rows; `SheetInvalid` when it cannot be read."""
    data = path.read_bytes()
    if len(data) > MAX_SHEET_BYTES:
        raise SheetInvalid(
            [SheetError(Place(path.name, 1, 1), "the file is larger than 32 MB", "split it into sheets")]
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, sheet)
    if path.suffix.lower() in (".xls", ".ods", ".numbers"):
        raise SheetInvalid(
            [
                SheetError(
                    Place(path.name, 1, 1),
                    f"{path.suffix} files are not read",
                    "save the workbook as .xlsx (Excel 2007 and later), or the sheet as CSV",
                )
            ]
        )
    if sheet is not None:
        raise SheetInvalid(
            [SheetError(Place(path.name, 1, 1), "a CSV file has no sheets", "leave --sheet out")]
        )
    return _read_csv(path.name, data)


def workbook_sheets(path: Path) -> list[str]:
    """The names of an XLSX workbook's sheets, in order; none for a CSV file or a damaged workbook."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # a damaged workbook: reading it says so, with the sheet's location
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _read_csv(name: str, data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetInvalid(
            [SheetError(Place(name, 1, 1), "the file is not UTF-8", "save the CSV file as UTF-8")]
        ) from None
    lines = text.splitlines()
    skip = 0
    separator = ","
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    if skip < len(lines):
        note = re.fullmatch(r"sep=(.)", lines[skip].strip())
        if note is not None and note.group(1) in SEPARATORS:
            separator, skip = note.group(1), skip + 1
        else:
            header_line = re.sub(r'"[^"]*"', "", lines[skip])
            # A header of column names: the separator is the one it holds most of.
            counts = {s: header_line.count(s) for s in SEPARATORS}
            best = max(counts, key=lambda s: counts[s])
            separator = best if counts[best] else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for _ in range(skip):
            next(reader, None)
        for record in reader:
            records.append((reader.line_num, record))
    except csv.Error as error:
        raise SheetInvalid(
            [
                SheetError(
                    Place(name, reader.line_num, 1), f"not a valid CSV line: {error}", "check its quotes"
                )
            ]
        ) from None
    cells = [
        [Cell(value, Place(name, line, column)) for column, value in enumerate(record, start=1)]
        for line, record in records
    ]
    return _sheet(name, cells, decimal_comma=separator != ",")


def _read_xlsx(path: Path, data: bytes, wanted: str | None) -> Sheet:
    from openpyxl import load_workbook  # only when a workbook is read: it takes a while to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, XML and key errors for a damaged file
        raise SheetInvalid(
            [
                SheetError(
                    Place(path.name, 1, 1),
                    f"not a readable XLSX workbook ({type(error).__name__})",
                    "save it again from the spreadsheet as .xlsx, or export the sheet as CSV",
                )
            ]
        ) from None
    try:
        names = list(book.sheetnames)
        if wanted is None:
            title = names[0]
        elif wanted in names:
            title = wanted
        else:
            close = did_you_mean(wanted, names)
            raise SheetInvalid(
                [
                    SheetError(
                        Place(path.name, 1, 1),
                        f"the workbook has no sheet {wanted!r}",
                        f"did you mean `{close}`?" if close else f"use one of: {', '.join(names)}",
                    )
                ]
            )
        rows: list[list[Cell]] = []
        for row_number, values in enumerate(book[title].iter_rows(values_only=True), start=1):
            rows.append(
                [
                    Cell(_xlsx_text(value), Place(path.name, row_number, column, title))
                    for column, value in enumerate(values, start=1)
                ]
            )
    finally:
        book.close()
    return _sheet(f"{path.name}:{title}", rows, decimal_comma=False)


def _xlsx_text(value: object) -> str:
    """A workbook value as text: numbers by their shortest decimal (12.5, not 12.500000001)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _sheet(name: str, rows: list[list[Cell]], *, decimal_comma: bool) -> Sheet:
    filled = [row for row in rows if any(cell.text.strip() for cell in row)]
    if not filled:
        raise SheetInvalid(
            [
                SheetError(
                    Place(name, 1, 1),
                    "the sheet is empty",
                    "start it with a header row (key, label_en, EUR, …), then one row per option",
                )
            ]
        )
    header, *body = filled
    width = max((c.at.column for c in header if c.text.strip()), default=0)
    header = header[:width]
    beyond = [cell for row in body for cell in row[width:] if cell.text.strip()]
    if beyond:
        raise SheetInvalid(
            [
                SheetError(
                    cell.at,
                    f"{cell.text.strip()!r} is in a column the header does not name",
                    "name the column in the header, or put a value holding the file's separator in "
                    'double quotes ("TOP x 1; SCREW x 4")',
                )
                for cell in beyond[:MAX_ERRORS]
            ]
        )
    return Sheet(name, header, [row[:width] for row in body], decimal_comma)


# Options ---------------------------------------------------------------------------------------------


@dataclass
class Option:
    """An option as a row of the sheet says it; None: the sheet has no column for that field."""

    key: str
    row: int
    at: Place  # the key's cell, or the label's it was made of
    label: dict[str, str] = field(default_factory=dict)
    price: dict[str, Decimal] = field(default_factory=dict)
    sku: str | None = None
    weight: str | None = None
    lead_time: str | None = None
    parts: list[tuple[str, Decimal]] | None = None
    image: str | None = None


@dataclass(frozen=True)
class Column:
    """What a column of the sheet holds: a field of the option, its language, currency or unit."""

    field: str  # key, label, price, sku, weight, lead_time, parts, image
    qualifier: str = ""  # the language of a label, the currency of a price, the unit of a bare number
    header: Cell | None = None


@dataclass
class OptionsImport:
    """The options read from a sheet and the fields its columns give (what an import may change)."""

    options: list[Option]
    fields: set[str]  # of label, price, sku, weight, lead_time, parts, image
    languages: list[str]


def read_options(sheet: Sheet, currencies: Iterable[str], languages: Iterable[str]) -> OptionsImport:
    """The options of a sheet, one per row; `SheetInvalid` with every mistake, located."""
    brand_currencies = tuple(currencies)
    brand_languages = tuple(languages) or ("en",)
    errors: list[SheetError] = []
    columns = _columns(sheet, brand_currencies, brand_languages, errors)
    if errors:
        raise SheetInvalid(errors)
    by_field: dict[str, list[tuple[int, Column]]] = {}
    for index, column in enumerate(columns):
        by_field.setdefault(column.field, []).append((index, column))
    label_languages = [c.qualifier for _, c in by_field.get("label", [])]
    first_language = "en" if "en" in label_languages else brand_languages[0]
    options: list[Option] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        if len(errors) >= MAX_ERRORS:
            break
        cells = {index: row[index] if index < len(row) else None for index in range(len(columns))}
        option = _option(sheet, columns, cells, brand_currencies, first_language, errors)
        if option is None:
            continue
        if option.key in seen:
            errors.append(
                SheetError(
                    option.at,
                    f"the key {option.key!r} is the key of row {seen[option.key]} too",
                    "give every option its own key (keys are unique in an attribute)",
                )
            )
            continue
        seen[option.key] = option.row
        options.append(option)
    if not options and not errors:
        errors.append(
            SheetError(
                sheet.header[0].at, "the sheet has a header but no rows", "write one row per option under it"
            )
        )
    if errors:
        # A row's key is read after its other cells: errors are told in the sheet's reading order.
        raise SheetInvalid(sorted(errors, key=lambda e: (e.at.row, e.at.column)))
    given = {c.field for c in columns if c.field != "key"}
    return OptionsImport(options, given, label_languages)


def _known_names(currencies: tuple[str, ...], languages: tuple[str, ...]) -> list[str]:
    return [
        "key",
        "label",
        *(f"label_{language}" for language in languages),
        *currencies,
        "sku",
        "weight",
        "lead_time",
        "parts",
        "image",
    ]


def _columns(
    sheet: Sheet, currencies: tuple[str, ...], languages: tuple[str, ...], errors: list[SheetError]
) -> list[Column]:
    columns: list[Column] = []
    seen: dict[tuple[str, str], Cell] = {}
    for cell in sheet.header:
        column = _column(cell, currencies, languages, errors)
        if column is None:
            continue
        twice = seen.get((column.field, column.qualifier))
        if twice is not None:
            errors.append(
                SheetError(
                    cell.at,
                    f"the column {cell.text.strip()!r} says the same as {twice.text.strip()!r} ({twice.at})",
                    "keep one of them",
                )
            )
        seen[(column.field, column.qualifier)] = cell
        columns.append(column)
    present = {c.field for c in columns}
    start = sheet.header[0].at
    if errors:
        return columns
    if "key" not in present and "label" not in present:
        errors.append(
            SheetError(
                start,
                "the sheet has neither a key column nor a label column: its options have no names",
                "add a `key` column (walnut, oak…) or a `label_en` column (Walnut, Oak…)",
            )
        )
    priced = [c.qualifier for c in columns if c.field == "price"]
    missing = [code for code in currencies if code not in priced]
    if priced and missing:
        errors.append(
            SheetError(
                start,
                f"the sheet has prices in {', '.join(priced)} but none in {', '.join(missing)}: an "
                "option's price is in every brand currency",
                f"add a column for {' and '.join(missing)}",
            )
        )
    return columns


def _language(word: str, languages: tuple[str, ...]) -> bool:
    """Whether a column named `word` alone is a label's language: the brand's, or, when the brand
    declares none, any language CLDR knows (`fr`, but not `sku`)."""
    if word in languages:
        return True
    if len(languages) > 1 or not re.fullmatch(r"[a-z]{2,3}", word):
        return False
    try:
        Locale.parse(word)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _column(
    cell: Cell, currencies: tuple[str, ...], languages: tuple[str, ...], errors: list[SheetError]
) -> Column | None:
    written = cell.text.strip()
    name = normal_name(written)
    words = name.split()
    if not name:
        errors.append(
            SheetError(cell.at, "this column has no name", "name it, e.g. `key`, `label_en`, `EUR` or `sku`")
        )
        return None
    if name in _KEY_NAMES:
        return Column("key", header=cell)
    if name in _SKU_NAMES:
        return Column("sku", header=cell)
    if name in _PARTS_NAMES:
        return Column("parts", header=cell)
    if name in _IMAGE_NAMES:
        return Column("image", header=cell)
    for names, kind, units in (
        (_WEIGHT_NAMES, "weight", _WEIGHT_UNIT),
        (_LEAD_NAMES, "lead_time", _TIME_UNIT),
    ):
        for base in names:
            if name == base:
                return Column(kind, header=cell)
            if name.startswith(base + " ") and units.fullmatch(rest := name[len(base) + 1 :]):
                unit = _UNIT_SPELLING.get(rest, rest)
                if kind == "lead_time":
                    unit = unit if unit.endswith("s") else unit + "s"
                return Column(kind, unit, cell)
    # A label: `label`, `label_fr`, `fr label`, `name fr`, or the language code alone.
    rest_words = [w for w in words if w not in _LABEL_NAMES]
    if len(rest_words) < len(words) or (len(words) == 1 and _language(words[0], languages)):
        if not rest_words:
            return Column("label", languages[0], cell)
        if len(rest_words) == 1 and re.fullmatch(r"[a-z]{2,3}", rest_words[0]):
            if rest_words[0] not in languages and len(languages) > 1:
                errors.append(
                    SheetError(
                        cell.at,
                        f"the column {written!r} is in {rest_words[0]!r}, not one of the brand's "
                        f"languages ({', '.join(languages)})",
                        f"remove the column, or add {rest_words[0]} to `languages` in brand.yaml",
                    )
                )
                return None
            return Column("label", rest_words[0], cell)
    # A price: `EUR`, `price EUR`, `EUR price`, `€`, `price` when the brand has one currency.
    coded = [w.upper() for w in words if w not in ("price", "prices", "in")]
    if len(coded) == 1 and coded[0] in _SYMBOLS:
        coded = [_SYMBOLS[coded[0]]]
    if not coded and words and words[0] in ("price", "prices"):
        if len(currencies) == 1:
            return Column("price", currencies[0], cell)
        errors.append(
            SheetError(
                cell.at,
                f"the column {written!r} does not say its currency, and the brand has several",
                f"name it by its currency: {', '.join(currencies)}",
            )
        )
        return None
    if len(coded) == 1 and re.fullmatch(r"[A-Z]{3}", coded[0]) and len(words) <= 3:
        if coded[0] in currencies:
            return Column("price", coded[0], cell)
        if coded[0] in CURRENCIES:
            errors.append(
                SheetError(
                    cell.at,
                    f"{coded[0]} is not one of the brand's currencies ({', '.join(currencies)})",
                    f"remove the column, or add {coded[0]} to the currencies of brand.yaml",
                )
            )
            return None
    known = _known_names(currencies, languages)
    close = did_you_mean(written.replace(" ", "_").lower(), known) or did_you_mean(written, known)
    errors.append(
        SheetError(
            cell.at,
            f"the column {written!r} is none that an import knows",
            (f"did you mean `{close}`? " if close else "")
            + f"columns are: {', '.join(known)} (a price column per currency)",
        )
    )
    return None


def _option(
    sheet: Sheet,
    columns: list[Column],
    cells: Mapping[int, Cell | None],
    currencies: tuple[str, ...],
    first_language: str,
    errors: list[SheetError],
) -> Option | None:
    before = len(errors)
    row_number = next((c.at.row for c in cells.values() if c is not None), 0)
    option = Option("", row_number, Place(sheet.name, row_number, 1))
    key_cell: Cell | None = None
    label_cells: dict[str, Place] = {}
    prices: dict[str, tuple[Cell, Decimal | None]] = {}
    for index, column in enumerate(columns):
        cell = cells[index]
        if cell is None:
            cell = Cell("", _next_to(columns, index, row_number, sheet))
        text = cell.text.strip()
        if column.field == "key":
            key_cell = cell
        elif column.field == "label":
            if not text:
                errors.append(
                    SheetError(
                        cell.at,
                        f"the {column.qualifier} label is empty",
                        f"write the option's name in {column.qualifier}, or remove the column",
                    )
                )
            else:
                option.label[column.qualifier] = text
                label_cells[column.qualifier] = cell.at
        elif column.field == "price":
            prices[column.qualifier] = (cell, _amount(cell, column.qualifier, sheet.decimal_comma, errors))
        elif column.field == "sku" and text:
            option.sku = _sku(cell, errors)
        elif column.field == "weight" and text:
            option.weight = _quantity(cell, column, sheet.decimal_comma, errors)
        elif column.field == "lead_time" and text:
            option.lead_time = _quantity(cell, column, sheet.decimal_comma, errors)
        elif column.field == "parts" and text:
            option.parts = _parts(cell, sheet.decimal_comma, errors)
        elif column.field == "image" and text:
            option.image = _image(cell, errors)
    filled = {code: amount for code, (cell, amount) in prices.items() if cell.text.strip()}
    if filled and len(filled) != len(prices):
        empty = [code for code, (cell, _) in prices.items() if not cell.text.strip()]
        errors.append(
            SheetError(
                prices[empty[0]][0].at,
                f"this option has a price in {', '.join(filled)} but none in {', '.join(empty)}",
                "write an amount in every currency (0.00 when it costs nothing extra), or none",
            )
        )
    option.price = {code: amount for code, amount in filled.items() if amount is not None}
    option.key = _key(key_cell, option, first_language, sheet, row_number, errors) or ""
    if key_cell is not None and key_cell.text.strip():
        option.at = key_cell.at
    elif label_cells:
        option.at = label_cells.get(first_language, next(iter(label_cells.values())))
    if len(errors) != before:
        return None
    return option


def _next_to(columns: list[Column], index: int, row: int, sheet: Sheet) -> Place:
    header = columns[index].header
    if header is None:
        return Place(sheet.name, row, index + 1)
    return Place(header.at.file, row, header.at.column, header.at.sheet)


def _key(
    cell: Cell | None,
    option: Option,
    first_language: str,
    sheet: Sheet,
    row: int,
    errors: list[SheetError],
) -> str | None:
    rule = f.KEY_RULES[f.OPTION_KEY]
    if cell is not None and cell.text.strip():
        text = cell.text.strip()
        if re.match(f.OPTION_KEY, text):
            return text
        errors.append(SheetError(cell.at, f"{text!r} is not a valid option key", rule.hint(_ascii(text))))
        return None
    label = option.label.get(first_language) or next(iter(option.label.values()), None)
    if label is None:
        if cell is not None:
            errors.append(
                SheetError(cell.at, "the key is empty", f"write one, e.g. `{rule.example}`, or a label")
            )
        return None
    derived = _ascii(label).lower()
    derived = re.sub(r"[^a-z0-9_-]+", "_", derived).strip("_")
    if not re.match(f.OPTION_KEY, derived):
        place = cell.at if cell is not None else Place(sheet.name, row, 1)
        errors.append(
            SheetError(
                place,
                f"no option key can be made of the label {label!r}",
                f"write the key in a `key` column, e.g. `{rule.example}`",
            )
        )
        return None
    return derived


def _image(cell: Cell, errors: list[SheetError]) -> str | None:
    text = cell.text.strip().replace("\\", "/")  # a path copied from Windows' explorer
    if re.match(f.OPTION_IMAGE, text):
        return text
    errors.append(
        SheetError(
            cell.at,
            f"{cell.text.strip()!r} is not a picture's path",
            "write the path of a .png, .jpg or .webp file from the catalog folder, e.g. "
            "`assets/dining-table/walnut.jpg`",
        )
    )
    return None


def _ascii(text: str) -> str:
    """`Chêne` -> `Chene`: accents dropped the way a key has none."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _amount(cell: Cell, currency: str, decimal_comma: bool, errors: list[SheetError]) -> Decimal | None:
    written = cell.text.strip()
    if not written:
        return None
    number = written.replace(",", ".", 1) if decimal_comma else written
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", number):
        bare = re.sub(f"[{_MONEY_SIGNS}\\s]|\\b[A-Z]{{3}}\\b", "", number)
        if bare != number and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", bare):
            errors.append(
                SheetError(
                    cell.at,
                    f"{written!r} has a currency sign or code: the column says the currency ({currency})",
                    f"write `{bare}`",
                )
            )
            return None
        grouped = number.replace(",", "")
        if re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", number):
            hint = f"write `{grouped}`, without a thousands separator"
        else:
            hint = "write digits with a decimal point and no currency sign, e.g. `12.50`"
        errors.append(SheetError(cell.at, f"{written!r} is not an amount in {currency}", hint))
        return None
    value = Decimal(number)
    off = uncharged(value, currency)
    if off is not None:
        errors.append(
            SheetError(
                cell.at,
                f"{written} {currency} has more decimals than {currency} amounts have "
                f"({minor_units(currency)}): no payment can charge it",
                f"write {_decimal(off[0], decimal_comma)} or {_decimal(off[1], decimal_comma)}",
            )
        )
        return None
    try:
        return value.quantize(Decimal(1).scaleb(-minor_units(currency)))
    except MoneyError:
        return value


def _decimal(value: Decimal, comma: bool) -> str:
    """An amount as the sheet writes it: 6,55 in a file with decimal commas."""
    return str(value).replace(".", ",") if comma else str(value)


def _sku(cell: Cell, errors: list[SheetError]) -> str | None:
    text = cell.text.strip()
    if re.match(f.SKU, text):
        return text
    mended = re.sub(r"[^A-Za-z0-9._/-]+", "-", _ascii(text)).strip("-")
    hint = (
        f"write `{mended}`" if re.match(f.SKU, mended) else "a SKU is letters, digits and . _ / -, e.g. WAL"
    )
    errors.append(SheetError(cell.at, f"{text!r} is not a SKU", hint))
    return None


def _quantity(cell: Cell, column: Column, decimal_comma: bool, errors: list[SheetError]) -> str | None:
    """A weight or a lead time; a bare number takes the unit the column's name gives."""
    text = cell.text.strip()
    if decimal_comma:
        text = re.sub(r"^([0-9]+),([0-9]+)", r"\1.\2", text)
    weight = column.field == "weight"
    pattern = f.WEIGHT if weight else f.LEAD_TIME
    if column.qualifier and re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        text = f"{text} {column.qualifier.removesuffix('s') if text == '1' else column.qualifier}"
    if re.match(pattern, text):
        return text
    what = "a weight" if weight else "a lead time"
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        example = "12 kg" if weight else "6 weeks"
        hint = f"write it with its unit, e.g. `{text} {example.split()[1]}`, or name the column " + (
            "`weight kg`" if weight else "`lead time weeks`"
        )
    else:
        said = quantity_hint(text, column.field, weight=weight)
        found = re.search(r'"([^"]+)"', re.sub(r'"1 weeks"', '"1 week"', said))
        hint = (
            f"write `{found.group(1)}`"
            if found
            else ("write a weight in g, kg, lb or oz, e.g. `12 kg`" if weight else "write e.g. `10 days`")
        )
    errors.append(SheetError(cell.at, f"{cell.text.strip()!r} is not {what}", hint))
    return None


_PART = re.compile(
    r"(?:(?P<before>[0-9]+(?:\.[0-9]+)?)\s*[x×*]\s*)?(?P<code>[A-Za-z0-9][A-Za-z0-9._/-]*)"
    r"(?:\s*(?:[x×*:]\s*|\s+)(?P<after>[0-9]+(?:\.[0-9]+)?))?"
)


def _parts(cell: Cell, decimal_comma: bool, errors: list[SheetError]) -> list[tuple[str, Decimal]] | None:
    """`LEG-OAK x 4; SCREW-8 x 16`: parts separated by ; or , each with an optional quantity."""
    text = cell.text.strip()
    if decimal_comma:
        text = re.sub(r"(?<=[0-9]),(?=[0-9])", ".", text)
    parts: list[tuple[str, Decimal]] = []
    for item in re.split(r"[;,\n]", text):
        written = item.strip()
        if not written:
            continue
        found = _PART.fullmatch(written)
        if found is None or not re.match(f.SKU, found.group("code")):
            errors.append(
                SheetError(
                    cell.at,
                    f"{written!r} is not a part",
                    "write part codes separated by `;`, each with its quantity if more than one: "
                    "`LEG-OAK x 4; SCREW-8 x 16`",
                )
            )
            return None
        quantity = found.group("before") or found.group("after") or "1"
        parts.append((found.group("code"), Decimal(quantity)))
    return parts


# Price tables ----------------------------------------------------------------------------------------

_CORNER = re.compile(r"\s*([a-z][a-z0-9_]*)\s*(?:\\|/|×|\bx\b|\bby\b)\s*([a-z][a-z0-9_]*)\s*")


def read_price_grid(
    sheets: list[Sheet],
    currencies: Iterable[str],
    given: list[str],
    attributes: Mapping[str, set[str]],
) -> str:
    """A price table's CSV text (`docs/prices.md`) from a grid (the rows one attribute's values, the
    columns another's, one sheet per currency in `given`) or from a sheet in the table's own shape
    (attribute columns, then a column per currency); `SheetInvalid` with every mistake, located.

    `attributes` maps the product's attributes to their option keys (empty for numbers and booleans).
    """
    brand = tuple(currencies)
    errors: list[SheetError] = []
    first = sheets[0]
    if any(cell.text.strip().upper() in brand for cell in first.header):
        rows = _long_table(first, brand, attributes, errors)
        keys = [cell.text.strip() for cell in first.header if cell.text.strip().upper() not in brand]
    else:
        rows, keys = _grids(sheets, brand, given, attributes, errors)
    if errors:
        raise SheetInvalid(errors[:MAX_ERRORS])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*keys, *brand])
    for key, amounts in rows.items():
        writer.writerow([*key, *(str(amounts[code]) for code in brand)])
    return out.getvalue()


def _value(
    cell: Cell, attribute: str, attributes: Mapping[str, set[str]], comma: bool, errors: list[SheetError]
) -> str | None:
    """A key cell as the price table writes it: an option key (its capitals forgiven), a number or null."""
    text = cell.text.strip()
    options = attributes.get(attribute, set())
    if not options or text == "null":
        if comma:
            text = re.sub(r"^(-?[0-9]+),([0-9]+)$", r"\1.\2", text)
        if not text:
            errors.append(
                SheetError(
                    cell.at,
                    f"no value of {attribute}",
                    f"write one, or `null` where {attribute} does not apply",
                )
            )
            return None
        return text.lower() if text.lower() in ("true", "false") else text
    lowered = {key.lower(): key for key in options}
    found = lowered.get(text.lower()) or lowered.get(_ascii(text).lower().replace(" ", "_"))
    if found is None:
        close = did_you_mean(text, sorted(options))
        errors.append(
            SheetError(
                cell.at,
                f"{text!r} is not an option of {attribute}",
                f"did you mean `{close}`?" if close else f"write one of: {', '.join(sorted(options))}",
            )
        )
    return found


def _attribute(cell: Cell, name: str, attributes: Mapping[str, set[str]], errors: list[SheetError]) -> bool:
    if name in attributes:
        return True
    close = did_you_mean(name, list(attributes))
    errors.append(
        SheetError(
            cell.at,
            f"the product has no attribute {name!r}",
            f"did you mean `{close}`?" if close else f"name one of: {', '.join(attributes)}",
        )
    )
    return False


def _long_table(
    sheet: Sheet, brand: tuple[str, ...], attributes: Mapping[str, set[str]], errors: list[SheetError]
) -> dict[tuple[str, ...], dict[str, Decimal]]:
    header = [(index, cell, cell.text.strip()) for index, cell in enumerate(sheet.header)]
    keyed = [(index, cell, name) for index, cell, name in header if name.upper() not in brand]
    priced = {name.upper(): index for index, _, name in header if name.upper() in brand}
    for _, cell, name in keyed:
        _attribute(cell, name, attributes, errors)
    missing = [code for code in brand if code not in priced]
    if missing:
        errors.append(
            SheetError(
                sheet.header[0].at,
                f"the sheet has no {', '.join(missing)} column; a price table has one per brand currency",
                f"add {' and '.join(missing)} to the header",
            )
        )
    if not keyed:
        errors.append(
            SheetError(
                sheet.header[0].at,
                "the sheet names no attribute",
                "start its header with them, e.g. `metal,size`",
            )
        )
    if errors:
        return {}
    rows: dict[tuple[str, ...], dict[str, Decimal]] = {}
    seen: dict[tuple[str, ...], int] = {}
    for row in sheet.rows:
        at = {
            index: row[index] if index < len(row) else Cell("", _next(sheet, row, index))
            for index, _, _ in header
        }
        key = tuple(
            _value(at[index], name, attributes, sheet.decimal_comma, errors) or "" for index, _, name in keyed
        )
        amounts = {
            code: _amount(at[index], code, sheet.decimal_comma, errors) for code, index in priced.items()
        }
        for code, index in priced.items():
            if not at[index].text.strip():
                errors.append(
                    SheetError(at[index].at, f"no amount in {code}", "write one (0.00 when it costs nothing)")
                )
        if "" in key or any(amount is None for amount in amounts.values()):
            continue
        number = row[0].at.row if row else 0
        if key in seen:
            errors.append(
                SheetError(
                    at[keyed[0][0]].at,
                    f"row {seen[key]} prices this combination already",
                    "keep one row per combination",
                )
            )
            continue
        seen[key] = number
        rows[key] = {code: amount for code, amount in amounts.items() if amount is not None}
    return rows


def _next(sheet: Sheet, row: list[Cell], index: int) -> Place:
    header = sheet.header[index].at
    return Place(header.file, row[0].at.row if row else 0, index + 1, header.sheet)


def _grids(
    sheets: list[Sheet],
    brand: tuple[str, ...],
    given: list[str],
    attributes: Mapping[str, set[str]],
    errors: list[SheetError],
) -> tuple[dict[tuple[str, ...], dict[str, Decimal]], list[str]]:
    corner = sheets[0].header[0]
    found = _CORNER.fullmatch(corner.text.strip().lower())
    if found is None:
        errors.append(
            SheetError(
                corner.at,
                f"the top-left cell ({corner.text.strip()!r}) does not say which attributes the grid is by",
                "write the rows' attribute and the columns', e.g. `metal \\ size`, or give the sheet in the "
                "price table's shape: attribute columns, then one per currency",
            )
        )
        return {}, []
    row_attribute, column_attribute = found.group(1), found.group(2)
    if not (
        _attribute(corner, row_attribute, attributes, errors)
        & _attribute(corner, column_attribute, attributes, errors)
    ):
        return {}, []
    codes = [code.upper() for code in given] or (list(brand) if len(brand) == 1 else [])
    wrong = [code for code in codes if code not in brand]
    missing = [code for code in brand if code not in codes]
    if wrong or missing or len(codes) != len(sheets):
        errors.append(
            SheetError(
                corner.at,
                "a grid holds the amounts of one currency, and the brand prices in " + ", ".join(brand),
                "give a sheet per currency, each with its --currency: "
                + " ".join(f"--sheet {code} --currency {code}" for code in brand),
            )
        )
        return {}, []
    rows: dict[tuple[str, ...], dict[str, Decimal]] = {}
    for sheet, code in zip(sheets, codes, strict=True):
        columns = [
            _value(cell, column_attribute, attributes, sheet.decimal_comma, errors)
            for cell in sheet.header[1:]
        ]
        for row in sheet.rows:
            if not row:
                continue
            value = _value(row[0], row_attribute, attributes, sheet.decimal_comma, errors)
            for column, cell in zip(columns, row[1:], strict=False):
                if value is None or column is None or not cell.text.strip():
                    continue  # an empty cell: no row for that combination
                amount = _amount(cell, code, sheet.decimal_comma, errors)
                if amount is not None:
                    rows.setdefault((value, column), {})[code] = amount
    for key, amounts in rows.items():
        lacking = [code for code in brand if code not in amounts]
        if lacking and not errors:
            errors.append(
                SheetError(
                    sheets[codes.index(next(c for c in brand if c in amounts))].header[0].at,
                    f"{row_attribute}={key[0]}, {column_attribute}={key[1]} has an amount in "
                    f"{', '.join(amounts)} but none in {', '.join(lacking)}",
                    "fill the same cells in every currency's sheet",
                )
            )
    return rows, [row_attribute, column_attribute]
