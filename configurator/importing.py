"""`atelier rules import`: a merchant's spreadsheet (CSV or XLSX) written into a product file, as an
attribute's options or as a price table, then checked like any edit.

The sheet is read and checked in full before anything is written; the product file is edited in its
text (its comments, order and quoting kept), loaded from a temporary file beside it, and only then
moved over the original in one step. When `rules check` still finds an error afterwards (a default
that now breaks a rule), the original file is put back.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path

import click

from rules.errors import CatalogError, RulesError
from rules.language import load_brand
from rules.language.fields import ATTRIBUTE_KEY, KEY_RULES
from rules.language.loader import load_product
from rules.language.spreadsheet import (
    Option,
    OptionsImport,
    SheetInvalid,
    read_options,
    read_price_grid,
    read_sheet,
    workbook_sheets,
)
from rules.language.yamledit import EditRefused, Raw, flow, quoted, scalar, set_options, set_price_table
from rules.language.yamlsafe import Mapping, Node, Scalar, Sequence, load_yaml
from rules.model import Brand

_OPTIONED = {"choice", "multi", "colour"}
_LONGEST_LINE = 100  # an option longer than this is written as a block, a field a line


@click.command("import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--product",
    "product_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The product file to write into (next to its brand.yaml).",
)
@click.option("--attribute", help="The attribute whose options the sheet lists (added as a choice if new).")
@click.option(
    "--sheet",
    "sheet_names",
    multiple=True,
    help="The workbook's sheet (default: its first); a price grid may take one per --currency.",
)
@click.option("--price-table", help="Write the sheet as this CSV price table next to the product.")
@click.option("--label", help="The price table's line on the quote (with --price-table).")
@click.option(
    "--currency",
    "currencies",
    multiple=True,
    help="The currency of a grid's amounts (with --price-table), once per --sheet.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.pass_context
def import_command(
    ctx: click.Context,
    sheet: Path,
    product_file: Path,
    attribute: str | None,
    sheet_names: tuple[str, ...],
    price_table: str | None,
    label: str | None,
    currencies: tuple[str, ...],
    dry_run: bool,
) -> None:
    """Import options (--attribute) or a price grid (--price-table) from a CSV or XLSX SHEET into a
    product file; every mistake in the sheet is located (file:sheet:B7 or file:row:column) and then
    nothing is written."""
    if (attribute is None) == (price_table is None):
        raise click.UsageError("give either --attribute (options) or --price-table (a price grid)")
    if attribute is not None and not re.match(ATTRIBUTE_KEY, attribute):
        raise click.BadParameter(KEY_RULES[ATTRIBUTE_KEY].hint(attribute), param_hint="--attribute")
    brand = _brand(product_file)
    # A file saved on Windows keeps its line ends: the edit works on \n and writes \r\n back.
    try:
        raw = product_file.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{product_file} is not UTF-8: save it as UTF-8 first") from None
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n")
    extra: dict[str, bytes] = {}
    try:
        if attribute is not None:
            if len(sheet_names) > 1:
                raise click.UsageError("options come from one sheet: give --sheet once")
            read = read_sheet(sheet, sheet_names[0] if sheet_names else None)
            imported = read_options(read, brand.currencies, brand.languages)
            new_text, said = _with_options(text, product_file, attribute, imported)
        else:
            assert price_table is not None
            if not price_table.endswith(".csv") or "/" in price_table or "\\" in price_table:
                raise click.BadParameter(
                    "a file name ending in .csv, next to the product", param_hint="--price-table"
                )
            if not label:
                raise click.UsageError("--price-table needs --label: the line's name on the quote")
            if not sheet_names and not currencies and len(brand.currencies) > 1:
                # A workbook with a sheet named by each brand currency is a grid per currency.
                named = workbook_sheets(sheet)
                if all(code in named for code in brand.currencies):
                    sheet_names = currencies = brand.currencies
            if len(sheet_names) > 1 and len(sheet_names) != len(currencies):
                raise click.UsageError("give one --currency per --sheet, in the same order")
            sheets = [read_sheet(sheet, name) for name in sheet_names] or [read_sheet(sheet)]
            keys = _attribute_keys(text, product_file)
            table = read_price_grid(sheets, brand.currencies, list(currencies), keys)
            extra[price_table] = table.encode("utf-8")
            new_text = set_price_table(text, price_table, label)
            said = f"{price_table}: {table.count(chr(10)) - 1} rows"
    except SheetInvalid as error:
        for found in error.errors:
            click.echo(str(found), err=True)
        raise click.ClickException(
            f"{len(error.errors)} mistake{'s' if len(error.errors) != 1 else ''} in {sheet.name}: "
            f"nothing was written"
        ) from None
    except EditRefused as error:
        raise click.ClickException(f"{product_file}: {error}; nothing was written") from None
    if dry_run:
        for name, data in extra.items():
            click.echo(f"# {name}")
            click.echo(data.decode("utf-8"), nl=False)
        click.echo(f"# {product_file.name}")
        click.echo(new_text, nl=False)
        return
    # The same report as `atelier rules check FILE`, from the rules group this command sits in.
    group = ctx.parent.command if ctx.parent is not None else None
    check = group.get_command(ctx, "check") if isinstance(group, click.Group) else None
    # Errors of the check that were there before the import (another product of the folder, say) are
    # not the import's: only the import's own put the file back.
    clean_before = check is None or _passes(ctx, check, product_file)
    previous = _write_checked(product_file, _crlf(new_text, crlf), brand, extra)
    click.echo(f"{product_file}: {said}")
    if check is None:
        return
    try:
        ctx.invoke(check, paths=(product_file,))
    except SystemExit as stop:
        if not stop.code:
            return
        if not clean_before:
            raise click.ClickException(
                f"{product_file} was written; `atelier rules check` found errors before the import too"
            ) from None
        _replace(product_file, _crlf(text, crlf))
        for name, held in previous.items():
            _restore(product_file.parent / name, held)
        raise click.ClickException(
            f"{product_file} has errors with the import: the file was put back as it was"
        ) from None


def _passes(ctx: click.Context, check: click.Command, product_file: Path) -> bool:
    """Whether `rules check` passes on the product file as it is, its report kept quiet."""
    quiet = io.StringIO()
    try:
        with redirect_stdout(quiet), redirect_stderr(quiet):
            ctx.invoke(check, paths=(product_file,))
    except SystemExit as stop:
        return not stop.code
    return True


def _crlf(text: str, crlf: bool) -> str:
    return text.replace("\n", "\r\n") if crlf else text


def _brand(product_file: Path) -> Brand:
    brand_file = product_file.parent / "brand.yaml"
    if not brand_file.is_file():
        raise click.ClickException(f"{product_file.parent} has no brand.yaml: a product file sits beside it")
    try:
        return load_brand(brand_file)
    except CatalogError as error:
        raise click.ClickException(
            f"{brand_file} has errors (`atelier rules check {product_file.parent}` lists them)"
        ) from error


def _root(text: str, product_file: Path) -> Mapping:
    root, problems = load_yaml(text.encode("utf-8"), str(product_file))
    if root is None or not isinstance(root, Mapping):
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{product_file} does not load as YAML: nothing was written")
    return root


def _attribute_keys(text: str, product_file: Path) -> dict[str, set[str]]:
    """Each attribute's option keys as the file writes them (empty for a number or a boolean)."""
    attributes = _root(text, product_file).get("attributes")
    found: dict[str, set[str]] = {}
    if isinstance(attributes, Mapping):
        for key, node in attributes.items:
            options = node.get("options") if isinstance(node, Mapping) else None
            if isinstance(options, Mapping):
                found[key.text] = set(options.keys())
            elif isinstance(options, Sequence):
                found[key.text] = {item.text for item in options.items if isinstance(item, Scalar)}
            else:
                found[key.text] = set()
    return found


def _with_options(text: str, product_file: Path, attribute: str, imported: OptionsImport) -> tuple[str, str]:
    """The product text with the sheet's options, and what changed, in words."""
    attributes = _root(text, product_file).get("attributes")
    node = attributes.get(attribute) if isinstance(attributes, Mapping) else None
    existing: dict[str, Node | None] = {}
    if isinstance(node, Mapping):
        kind = node.get("type")
        if isinstance(kind, Scalar) and kind.text not in _OPTIONED:
            raise click.ClickException(
                f"{product_file}: `{attribute}` is a {kind.text} attribute, which has no options: "
                "import into a choice, multi or colour attribute"
            )
        options = node.get("options")
        if isinstance(options, Mapping):
            existing = {key.text: value for key, value in options.items}
        elif isinstance(options, Sequence):
            existing = {item.text: None for item in options.items if isinstance(item, Scalar)}
    lines: list[str] = []
    for option in imported.options:
        fields = _fields(option, existing.get(option.key), imported)
        line = f"{option.key}: {flow(fields)}"
        if not fields:
            lines.append(option.key + ":")  # an option with nothing to say: its key alone
        elif len(line) <= _LONGEST_LINE:
            lines.append(line)
        else:
            lines += [f"{option.key}:", *(f"  {name}: {flow(value)}" for name, value in fields.items())]
    default = imported.options[0].key if node is None else None
    new_text = set_options(text, attribute, lines, default=default)
    keys = [option.key for option in imported.options]
    gone = [key for key in existing if key not in keys]
    added = [key for key in keys if key not in existing]
    said = f"{len(keys)} options of {attribute}" + (" (a new choice attribute)" if node is None else "")
    if added and node is not None:
        said += f", new: {', '.join(added)}"
    if gone:
        said += f", removed (not in the sheet): {', '.join(gone)}"
    return new_text, said


def _fields(option: Option, before: Node | None, imported: OptionsImport) -> dict[str, object]:
    """An option's fields: the sheet's where it has a column, the file's others kept as they were."""
    kept: dict[str, object] = {}
    if isinstance(before, Mapping):
        kept = {key.text: _as_written(value) for key, value in before.items}
    fields: dict[str, object] = {}
    if "label" in imported.fields:
        old = kept.get("label")
        merged: dict[str, object] = dict(old) if isinstance(old, dict) else {}
        merged.update(option.label)
        fields["label"] = merged
    if "price" in imported.fields and option.price:
        fields["price"] = {code: quoted(str(amount)) for code, amount in option.price.items()}
    singles = (
        ("image", option.image),
        ("sku", option.sku),
        ("weight", option.weight),
        ("lead_time", option.lead_time),
    )
    for name, given in singles:
        if name in imported.fields and given is not None:
            fields[name] = given
    if "parts" in imported.fields and option.parts:
        fields["parts"] = [_part(code, quantity) for code, quantity in option.parts]
    for name, value in kept.items():
        if name not in imported.fields and name not in fields:
            fields[name] = value
    order = ("label", "price", "image", "sku", "weight", "lead_time", "parts")
    return {name: fields[name] for name in sorted(fields, key=lambda n: order.index(n) if n in order else 99)}


def _part(code: str, quantity: Decimal) -> dict[str, object]:
    return (
        {"part": code}
        if quantity == 1
        else {"part": code, "quantity": Raw(format(quantity.normalize(), "f"))}
    )


def _as_written(node: Node) -> object:
    """A value of the file, to be written back the same: strings quoted as needed, numbers as written."""
    if isinstance(node, Mapping):
        return {key.text: _as_written(value) for key, value in node.items}
    if isinstance(node, Sequence):
        return [_as_written(item) for item in node.items]
    assert isinstance(node, Scalar)
    if node.kind == "str":
        # A string that reads as a number ("2.00") stays quoted, as the merchant had it.
        return quoted(node.text) if scalar(node.text).startswith('"') or not node.plain else node.text
    return Raw(node.text)


def _write_checked(
    product_file: Path, after: str, brand: Brand, extra: dict[str, bytes]
) -> dict[str, bytes | None]:
    """Write `after` over the product file (and the `extra` files beside it) once it loads, and answer
    what the extra files held before; else report its errors at the product file's own name and write
    nothing."""
    folder = product_file.parent
    previous = {name: _bytes_of(folder / name) for name in extra}
    for name, data in extra.items():
        _atomic(folder / name, data)
    with _temporary(folder, product_file.name, after) as trial:
        try:
            load_product(trial, brand)
        except CatalogError as error:
            for name, held in previous.items():
                _restore(folder / name, held)
            for diagnostic in error.diagnostics:
                click.echo(str(diagnostic).replace(str(trial), str(product_file)), err=True)
            raise click.ClickException(
                f"{product_file} would not load with the import: nothing was written"
            ) from None
        except RulesError as error:
            for name, held in previous.items():
                _restore(folder / name, held)
            raise click.ClickException(f"{product_file}: {error}; nothing was written") from None
        os.replace(trial, product_file)
    return previous


def _bytes_of(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _restore(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
    else:
        _atomic(path, data)


def _replace(path: Path, text: str) -> None:
    _atomic(path, text.encode("utf-8"))


def _atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, moved over it in one step."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        if path.exists():
            os.chmod(name, path.stat().st_mode & 0o777)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextmanager
def _temporary(folder: Path, name: str, text: str) -> Iterator[Path]:
    """A trial copy of a product file beside it (so its CSV tables and images are found), removed
    unless it was moved over the original."""
    handle, trial = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    path = Path(trial)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        original = folder / name
        if original.exists():
            os.chmod(path, original.stat().st_mode & 0o777)
        yield path
    finally:
        path.unlink(missing_ok=True)
