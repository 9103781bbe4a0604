"""Combination tables, rows written in YAML or in a CSV file next to the product: TableConstraint."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final, Protocol

from rules.errors import Code
from rules.language import fields as f
from rules.language.check import FieldHints, Report, check_table, suggestion
from rules.language.names import AttributeInfo, Resolver
from rules.language.yamlsafe import Node, Scalar, Sequence
from rules.model import (
    Attribute,
    AttributeKind,
    Localized,
    NumberValue,
    PriceTable,
    SourceRef,
    TableConstraint,
    number_text,
    number_value,
)
from rules.money import minor_units, uncharged


class TableOwner(Protocol):
    """What lowering a table needs of the product it belongs to (`rules.language.product`'s lowering)."""

    path: Path  # the product file: a CSV is read next to it
    report: Report
    resolver: Resolver
    read_file: Callable[[Path, Node], bytes | None]
    attached: list[bytes]  # the CSV sources read, for the product's hash


MAX_CSV_BYTES = 32 * 1024 * 1024
MAX_ERRORS_PER_TABLE = 20
_TABLE_KINDS = (AttributeKind.CHOICE, AttributeKind.COLOUR, AttributeKind.NUMBER, AttributeKind.BOOLEAN)

Cell = str | int | Decimal | bool | None

# What separates the values of a CSV row: commas, semicolons (what spreadsheets write where the comma
# is the decimal mark, in France and Germany) or tabs. How each is named in messages.
SEPARATORS: Final = {",": "`,`", ";": "`;`", "\t": "a tab"}
# Excel's note of the separator, on a line of its own before the header: `sep=;`.
_SEP_LINE: Final = re.compile(r"sep=(.)")


class _TooMany(Exception):
    """Enough errors in one table: stop reading its rows."""


class _Cells:
    """Converts table cells to values of their column's attribute, counting errors."""

    def __init__(
        self, report: Report, columns: list[Attribute], where: str, *, decimal_comma: bool = False
    ) -> None:
        # A file separated by semicolons or tabs comes from a spreadsheet that writes 18,5 for 18.5.
        self.decimal_comma = decimal_comma
        self.report = report
        self.columns = columns
        self.where = where
        self.errors = 0
        # Option keys per column, looked up once: CSV tables can have hundreds of thousands of cells.
        self.keys = {a.key: frozenset(o.key for o in a.options) for a in columns}

    def error(self, message: str, at: SourceRef | Node, hint: str) -> None:
        self.report.error(Code.BAD_TABLE, message, at, hint)
        self.errors += 1
        if self.errors >= MAX_ERRORS_PER_TABLE:
            self.report.error(
                Code.BAD_TABLE,
                f"too many errors in {self.where}; stopped reading it",
                at,
                "fix the errors above and check again",
            )
            raise _TooMany

    def value(self, attribute: Attribute, text: str, kind: str, at: SourceRef | Node) -> tuple[bool, Cell]:
        """A cell's value; `kind` is the YAML kind (str/int/bool/null/float) or "csv"."""
        empty = kind == "null" or (kind == "csv" and text.strip() == "")
        if empty:
            if attribute.when is not None:
                return True, None
            self.error(
                f"the {attribute.key!r} column is empty, but the attribute always applies",
                at,
                f"write a value of {attribute.key!r}; leave a cell empty only for an attribute with `when`",
            )
            return False, None
        text = text.strip()
        if attribute.kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
            if text in self.keys[attribute.key] and kind in ("str", "int", "csv"):
                return True, text
            keys = [o.key for o in attribute.options]
            self.error(
                f"{text!r} is not an option of {attribute.key!r}", at, suggestion(text, keys, "options")
            )
            return False, None
        if attribute.kind == AttributeKind.BOOLEAN:
            if kind == "bool" or (kind == "csv" and text.lower() in ("true", "false")):
                return True, text.lower() == "true"
            self.error(
                f"{attribute.key!r} is a boolean, so its column takes true or false, not {text!r}",
                at,
                "write true or false",
            )
            return False, None
        assert attribute.kind == AttributeKind.NUMBER
        number: NumberValue | None = None
        if kind == "csv" and self.decimal_comma:
            text = text.replace(",", ".", 1)
        if kind in ("int", "float", "csv") and re.fullmatch(r"\s*-?[0-9]+(\.[0-9]+)?\s*", text):
            try:
                number = number_value(Decimal(text.strip()))
            except InvalidOperation:
                number = None
        assert attribute.minimum is not None
        assert attribute.maximum is not None
        low, high, step = (number_text(v) for v in (attribute.minimum, attribute.maximum, attribute.step))
        if number is None:
            comma = re.fullmatch(r"\s*-?[0-9]+,[0-9]+\s*", text) is not None
            self.error(
                f"{attribute.key!r} is a number attribute, so its column takes numbers, not {text!r}",
                at,
                f"write {text.strip().replace(',', '.')} with a decimal point"
                if comma
                else f"write a number from {low} to {high}",
            )
            return False, None
        if not attribute.takes_number(number):
            self.error(
                f"{number_text(number)} is not a value of {attribute.key!r} ({low} to {high} by {step})",
                at,
                f"write a value from {low} to {high}"
                + (f" in steps of {step}" if attribute.step != 1 else ""),
            )
            return False, None
        return True, number


def lower_table(
    node: Node,
    key: Scalar | None,
    rule_id: str,
    message: Localized,
    context: str,
    attributes: list[Attribute],
    lowering: TableOwner,
) -> TableConstraint | None:
    """Lower the `table:` of a constraint; None when an error was reported."""
    report = lowering.report
    columns_example = _columns_example(lowering.resolver.attributes)
    checked = check_table(
        node,
        f.COMBINATION_TABLE,
        report,
        f"the table of {context}",
        anchor=key,
        hints=FieldHints({"attributes": f"[{', '.join(columns_example)}]"})
        if columns_example
        else FieldHints(),
    )
    if checked is None:
        return None
    before = report.error_count()
    where = key.source if key is not None else node.source
    known = lowering.resolver.attributes
    by_key = {a.key: a for a in attributes}
    file_node = checked.scalar("file")
    mode_node = checked.scalar("mode")
    if mode_node is not None and file_node is None:
        report.error(
            Code.CONFLICT,
            f"`mode` of the table of {context} only goes with `file`",
            mode_node,
            "remove `mode`; write `allowed:` or `forbidden:` rows instead",
        )
    names_node = checked.get("attributes")
    columns: list[Attribute] | None = None
    if isinstance(names_node, Sequence):
        columns = _columns(
            [(item.text, item) for item in report.good(names_node.items) if isinstance(item, Scalar)],
            known,
            by_key,
            report,
            context,
        )
    elif "file" not in checked.written and "attributes" not in checked.written:
        report.error(
            Code.MISSING_KEY,
            f"the table of {context} is missing `attributes`",
            where,
            f"add `attributes: [{', '.join(columns_example or ['size', 'tiers'])}]` naming the columns",
        )
    rows: set[tuple[Cell, ...]] = set()
    allowed = True
    if file_node is not None:
        allowed = mode_node is None or mode_node.text == "allowed"
        columns = _csv_rows(file_node, columns, known, by_key, lowering, context, rows)
    else:
        rows_name = "allowed" if checked.get("allowed") is not None else "forbidden"
        allowed = rows_name == "allowed"
        rows_node = checked.get(rows_name)
        if isinstance(rows_node, Sequence) and columns is not None:
            cells = _Cells(report, columns, f"the table of {context}")
            try:
                for row in report.good(rows_node.items):
                    assert isinstance(row, Sequence)
                    if any(report.is_bad(cell) for cell in row.items):
                        continue
                    if len(row.items) != len(columns):
                        cells.error(
                            f"this row has {_count(len(row.items), 'value')} but the table has "
                            f"{len(columns)} columns ({', '.join(a.key for a in columns)})",
                            row,
                            f"write one value per column: [{', '.join(a.key for a in columns)}]",
                        )
                        continue
                    values: list[Cell] = []
                    ok = True
                    for attribute, cell in zip(columns, row.items, strict=True):
                        assert isinstance(cell, Scalar)
                        good, value = cells.value(attribute, cell.text, cell.kind, cell)
                        ok = ok and good
                        values.append(value)
                    if ok:
                        rows.add(tuple(values))
            except _TooMany:
                pass
    if columns is None or report.error_count() != before:
        return None
    return TableConstraint(
        rule_id, tuple(a.key for a in columns), frozenset(rows), allowed, message, "product", where
    )


def _columns(
    names: list[tuple[str, SourceRef | Node]],
    known: Mapping[str, AttributeInfo],
    by_key: dict[str, Attribute],
    report: Report,
    context: str,
) -> list[Attribute] | None:
    columns: list[Attribute] = []
    ok = True
    for name, at in names:
        if name not in known:
            report.error(
                Code.UNKNOWN_NAME,
                f"unknown attribute {name!r} in the table of {context}",
                at,
                suggestion(name, list(known), "attributes"),
            )
            ok = False
            continue
        attribute = by_key.get(name)
        if attribute is None:
            ok = False  # the attribute itself has errors, reported already
            continue
        if attribute.kind not in _TABLE_KINDS:
            report.error(
                Code.BAD_TABLE,
                f"a table cannot have a column for the {attribute.kind.value} attribute {name!r}",
                at,
                "use choice, colour, number or boolean attributes; for text and multi "
                "attributes write a `rule:`",
            )
            ok = False
            continue
        columns.append(attribute)
    return columns if ok else None


@dataclass
class _CsvFile:
    """A CSV file next to the product, opened: its separator found and its header row read."""

    name: str  # as the product file names it
    file: str  # its path, for locations
    lines: list[str]
    separator: str
    header: list[str]
    header_at: list[SourceRef]
    reader: Iterator[list[str]]
    line_num: Callable[[], int]

    @property
    def said(self) -> str:
        return SEPARATORS[self.separator]

    def _place(self, line: int, column: int) -> SourceRef:
        """Where the value of `column` (from 0) starts on `line`."""
        lines = self.lines
        offsets = _offsets(lines[line - 1], self.separator) if 0 < line <= len(lines) else []
        return SourceRef(self.file, line, offsets[column] if column < len(offsets) else 1)

    def records(self, cells: _Cells) -> Iterator[tuple[int, list[str], Callable[[int], SourceRef]]]:
        """Each row with one value per header column, and where the value of a column starts (made
        when asked: most cells are never reported). A row of another width is reported. Stops quietly
        after too many errors; reports a broken quote."""
        try:
            for record in self.reader:
                line = self.line_num()
                if not record or all(not cell.strip() for cell in record):
                    continue
                if len(record) != len(self.header):
                    cells.error(
                        f"this row has {_count(len(record), 'value')} but the header has {len(self.header)} "
                        f"(values separated by {self.said}, as in the header)",
                        SourceRef(self.file, line, 1),
                        f"write one value per column, separated by {self.said}: "
                        f"{self.separator.join(self.header)}",
                    )
                    continue
                yield line, record, functools.partial(self._place, line)
        except csv.Error as error:
            cells.report.error(
                Code.BAD_TABLE,
                f"{self.name} is not a valid CSV file: {error}",
                SourceRef(self.file, self.line_num(), 1),
                "check the quotes in that line",
            )
        except _TooMany:
            pass


def _open_csv(file_node: Scalar, lowering: TableOwner, example: list[str]) -> _CsvFile | None:
    """Read the CSV file `file_node` names, up to its header; None when a problem was reported."""
    report = lowering.report
    path = lowering.path.parent / file_node.text
    data = lowering.read_file(path, file_node)
    if data is None:
        return None
    lowering.attached.append(data)
    file = str(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.error(
            Code.ENCODING,
            f"{file_node.text} is not valid UTF-8",
            SourceRef(file, 1, 1),
            "save the CSV file as UTF-8",
        )
        return None
    lines = text.splitlines()
    separator, skip, problem = _separator(lines)
    if problem is not None:
        report.error(
            Code.BAD_TABLE, f"{file_node.text} {problem[0]}", SourceRef(file, 1 + skip, 1), problem[1]
        )
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        for _ in range(skip):
            next(reader, None)
        header = next(reader, None)
    except csv.Error as error:
        report.error(
            Code.BAD_TABLE,
            f"{file_node.text} is not a valid CSV file: {error}",
            SourceRef(file, 1, 1),
            "write values separated by commas, semicolons or tabs, with a header row",
        )
        return None
    names = [name.strip() for name in header or []]
    if not any(names):
        report.error(
            Code.BAD_TABLE,
            f"{file_node.text} is empty" if header is None else f"{file_node.text} has no header row",
            SourceRef(file, 1, 1),
            f"start it with a header row naming the attributes, e.g. `{separator.join(example)}`",
        )
        return None
    header_line = 1 + skip
    offsets = _offsets(lines[skip] if len(lines) > skip else "", separator)
    header_at = [
        SourceRef(file, header_line, offsets[i] if i < len(offsets) else 1) for i in range(len(names))
    ]
    return _CsvFile(file_node.text, file, lines, separator, names, header_at, reader, lambda: reader.line_num)


def _csv_rows(
    file_node: Scalar,
    columns: list[Attribute] | None,
    known: Mapping[str, AttributeInfo],
    by_key: dict[str, Attribute],
    lowering: TableOwner,
    context: str,
    rows: set[tuple[Cell, ...]],
) -> list[Attribute] | None:
    report = lowering.report
    opened = _open_csv(file_node, lowering, _columns_example(known) or ["size", "tiers"])
    if opened is None:
        return None
    from_file = _columns(
        list(zip(opened.header, opened.header_at, strict=True)), known, by_key, report, context
    )
    if from_file is None:
        return None
    if columns is not None and [a.key for a in columns] != opened.header:
        report.error(
            Code.BAD_TABLE,
            f"the header of {file_node.text} ({', '.join(opened.header)}) differs from "
            f"`attributes` ({', '.join(a.key for a in columns)})",
            SourceRef(opened.file, opened.header_at[0].line, 1),
            "make them the same, or leave `attributes` out",
        )
        return None
    cells = _Cells(report, from_file, file_node.text, decimal_comma=opened.separator != ",")
    # A column's distinct texts are few (Renault's tables: 1.2 million cells), so each is read once.
    read: list[dict[str, Cell]] = [{} for _ in from_file]
    for _, record, place in opened.records(cells):
        values: list[Cell] = []
        ok = True
        for column, (attribute, cell) in enumerate(zip(from_file, record, strict=True)):
            seen = read[column]
            if cell in seen:
                values.append(seen[cell])
                continue
            good, value = cells.value(attribute, cell, "csv", place(column))
            if good:
                seen[cell] = value
            ok = ok and good
            values.append(value)
        if ok:
            rows.add(tuple(values))
    return from_file


def lower_price_table(
    file_node: Scalar,
    context: str,
    attributes: list[Attribute],
    lowering: TableOwner,
    currencies: tuple[str, ...],
) -> PriceTable | None:
    """Lower the `table:` of a price line: a CSV file whose header names the attributes that key it
    and one column per brand currency; None when an error was reported."""
    report = lowering.report
    known = lowering.resolver.attributes
    example = [*(_columns_example(known) or ["size", "metal"]), *currencies]
    opened = _open_csv(file_node, lowering, example)
    if opened is None:
        return None
    before = report.error_count()
    keyed = [
        (name, at) for name, at in zip(opened.header, opened.header_at, strict=True) if name not in currencies
    ]
    priced = [name for name in opened.header if name in currencies]
    for name, at in keyed:
        if re.fullmatch(r"[A-Z]{3}", name):
            report.error(
                Code.BAD_CURRENCY,
                f"{name} in the header of {file_node.text} is not one of the brand's currencies "
                f"({', '.join(currencies)})",
                at,
                f"remove the {name} column, or add {name} to `currencies` in brand.yaml",
            )
    missing = [code for code in currencies if code not in priced]
    keys = [name for name, _ in keyed if not re.fullmatch(r"[A-Z]{3}", name)]
    if missing:
        report.error(
            Code.BAD_CURRENCY,
            f"{file_node.text} has no {', '.join(missing)} column; every brand currency needs one",
            SourceRef(opened.file, opened.header_at[0].line, 1),
            f"add {' and '.join(missing)} to the header: {opened.separator.join([*keys, *currencies])}",
        )
    by_key = {a.key: a for a in attributes}
    columns = _columns(
        [(n, at) for n, at in keyed if not re.fullmatch(r"[A-Z]{3}", n)], known, by_key, report, context
    )
    if not keyed and not missing:
        report.error(
            Code.BAD_TABLE,
            f"{file_node.text} names no attribute: its prices would not depend on the design",
            SourceRef(opened.file, opened.header_at[0].line, 1),
            "start its header with the attributes that choose the price, e.g. "
            f"`{opened.separator.join(example)}`",
        )
    if columns is None or report.error_count() != before:
        return None
    cells = _Cells(report, columns, file_node.text, decimal_comma=opened.separator != ",")
    rows: dict[tuple[Cell, ...], dict[str, Decimal]] = {}
    first_line: dict[tuple[Cell, ...], int] = {}
    position = {name: column for column, name in enumerate(opened.header)}
    for line, record, place in opened.records(cells):
        key: list[Cell] = []
        ok = True
        for attribute in columns:
            column = position[attribute.key]
            good, value = cells.value(attribute, record[column], "csv", place(column))
            ok = ok and good
            key.append(value)
        amounts: dict[str, Decimal] = {}
        for code in currencies:
            column = position[code]
            found = _amount_cell(
                cells, code, record[column], place(column), decimal_comma=opened.separator != ","
            )
            ok = ok and found is not None
            if found is not None:
                amounts[code] = found
        if not ok:
            continue
        row = tuple(key)
        if row in rows:
            said = ", ".join(f"{a.key}={cell_text(v)}" for a, v in zip(columns, row, strict=True))
            cells.error(
                f"this row prices {said} again (line {first_line[row]} does already)",
                SourceRef(opened.file, line, 1),
                "keep one row per combination",
            )
            continue
        rows[row] = amounts
        first_line[row] = line
    if report.error_count() != before:
        return None
    return PriceTable(tuple(a.key for a in columns), rows, file_node.text)


def _amount_cell(
    cells: _Cells, currency: str, text: str, at: SourceRef, *, decimal_comma: bool
) -> Decimal | None:
    """An amount in a price table's cell, exact and with no more decimals than its currency has."""
    written = text.strip()
    if decimal_comma:
        written = written.replace(",", ".", 1)
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", written):
        cells.error(
            f"{text.strip()!r} is not an amount in {currency}",
            at,
            'write digits with a decimal point and no currency sign or thousands separator, e.g. "1800.00"',
        )
        return None
    value = Decimal(written)
    off = uncharged(value, currency)
    if off is not None:
        cells.error(
            f"{written} {currency} has more decimals than {currency} amounts have ({minor_units(currency)}): "
            "no payment can charge it",
            at,
            f"write {off[0]} or {off[1]}",
        )
        return None
    return value


def cell_text(value: Cell) -> str:
    """A table cell as the language writes it: null, true, false, 5.5, an option key."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def _separator(lines: list[str]) -> tuple[str, int, tuple[str, str] | None]:
    """The separator of a CSV file, the lines before its header (Excel's `sep=` line), and what is
    wrong when it cannot be told: (message after the file name, hint).

    The header names attributes, whose keys hold none of the separators: the one it uses is the
    file's. A header of one column has none, and then any will do; cells never hold a separator
    either (option keys, whole numbers, true or false).
    """
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return ",", 0, None
    note = _SEP_LINE.fullmatch(lines[first].strip())
    if note is not None:
        if note.group(1) not in SEPARATORS:
            return (
                ",",
                first,
                (
                    f"names {note.group(1)!r} as its separator",
                    "separate values with commas, semicolons or tabs, and write `sep=;` for semicolons",
                ),
            )
        return note.group(1), first + 1, None
    outside_quotes = re.sub(r'"[^"]*"', "", lines[first])
    found = [separator for separator in SEPARATORS if separator in outside_quotes]
    if len(found) > 1:
        return (
            ",",
            first,
            (
                f"mixes separators in its header row ({' and '.join(SEPARATORS[s] for s in found)})",
                "separate the attribute names with one of them, and every row's values with the same",
            ),
        )
    return (found[0] if found else ","), first, None


def _columns_example(known: Mapping[str, AttributeInfo]) -> list[str]:
    """Two attributes of the product a table can have columns for, for hints."""
    return [key for key, info in known.items() if info.kind in _TABLE_KINDS][:2]


def _offsets(line: str, separator: str) -> list[int]:
    """1-based columns where each cell of a simple (unquoted) CSV line starts."""
    if '"' in line:
        return []
    offsets = [1]
    for index, char in enumerate(line):
        if char == separator:
            offsets.append(index + 2)
    return offsets


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
