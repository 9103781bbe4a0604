"""Reading catalog files from disk: load_brand, load_product, load_catalog."""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Mapping as Files
from pathlib import Path

from rules.errors import CatalogError, Code, Diagnostic
from rules.language.brand import BrandInfo, lower_brand, placeholder_brand
from rules.language.check import Report
from rules.language.product import ProductLowering
from rules.language.tables import MAX_CSV_BYTES
from rules.language.yamlsafe import MAX_YAML_BYTES, Mapping, Node, load_yaml
from rules.model import Brand, ProductModel, SourceRef

BRAND_FILE = "brand.yaml"
PathLike = str | os.PathLike[str]
# Reads a file a product names (a CSV table) into bytes, or reports why not and answers None.
ReadFrom = Callable[[Path, Report, Node], bytes | None]


def _read(path: Path, report: Report, limit: int, where: Node | SourceRef | None = None) -> bytes | None:
    """A file's bytes, or None after reporting why not (missing, too large, unreadable)."""
    at = where if where is not None else SourceRef(str(path), 1, 1)
    try:
        if not path.is_file():
            report.error(
                Code.FILE_MISSING, f"{path} does not exist", at, f"create {path.name}, or fix the file name"
            )
            return None
        size = path.stat().st_size
        if size > limit:
            report.error(
                Code.FILE_TOO_LARGE,
                f"{path.name} is {size} bytes; the limit is {limit}",
                at,
                "split it into smaller files",
            )
            return None
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        report.error(
            Code.FILE_UNREADABLE,
            f"{path} cannot be read: {error.strerror or error}",
            at,
            "check the file's permissions",
        )
        return None
    if len(data) > limit:  # it grew while we looked
        report.error(
            Code.FILE_TOO_LARGE,
            f"{path.name} is larger than {limit} bytes",
            at,
            "split it into smaller files",
        )
        return None
    return data


def _sorted(diagnostics: list[Diagnostic], main: str) -> list[Diagnostic]:
    # The file's own problems in reading order, then those in files it refers to (CSV).
    def key(d: Diagnostic) -> tuple[int, str, int, int]:
        if d.source is None:
            return (2, "", 0, 0)
        return (0 if d.source.file == main else 1, d.source.file, d.source.line, d.source.column)

    return sorted(diagnostics, key=key)


def _brand_info(path: Path, report: Report) -> BrandInfo:
    data = _read(path, report, MAX_YAML_BYTES)
    if data is None:
        return placeholder_brand(str(path))
    return _brand_of(path, data, report)


def _brand_of(path: Path, data: bytes, report: Report) -> BrandInfo:
    local = Report()
    root, problems = load_yaml(data, str(path))
    local.add(problems)
    if root is None:
        info = placeholder_brand(str(path))
        result = BrandInfo(info.brand, data, False, False)
    else:
        result = lower_brand(root, str(path), data, local)
    report.add(_sorted(local.diagnostics, str(path)))
    return result


def _product(
    path: Path, data: bytes, root: Node, brand: BrandInfo, report: Report, read: ReadFrom | None = None
) -> ProductModel | None:
    local = Report(brand.brand.languages, brand.brand.currencies if brand.currencies_known else ())

    def read_file(target: Path, where: Node) -> bytes | None:
        if read is not None:
            return read(target, local, where)
        return _read(target, local, MAX_CSV_BYTES, where)

    product = ProductLowering(root, path, data, brand, local, read_file).lower()
    report.add(_sorted(local.diagnostics, str(path)))
    return product


def _raise_errors(report: Report) -> None:
    errors = [d for d in report.diagnostics if d.severity == "error"]
    if errors:
        raise CatalogError(errors)


def load_brand(path: PathLike) -> Brand:
    """Load a brand file; raises CatalogError listing every problem."""
    report = Report()
    info = _brand_info(Path(path), report)
    _raise_errors(report)
    return info.brand


def _info_for(brand: Brand) -> BrandInfo:
    """The brand's extras (source bytes, limit messages), read again from its file when it still matches."""
    if brand.source is not None:
        path = Path(brand.source.file)
        report = Report()
        if path.is_file():
            info = _brand_info(path, report)
            if info.brand == brand and not any(d.severity == "error" for d in report.diagnostics):
                return info
    # A brand built in code, or whose file changed since: hash what we were given.
    return BrandInfo(brand, repr(brand).encode())


def load_product(path: PathLike, brand: Brand) -> ProductModel:
    """Load one product file against its brand; raises CatalogError listing every problem."""
    report = Report()
    product_path = Path(path)
    data = _read(product_path, report, MAX_YAML_BYTES)
    product: ProductModel | None = None
    if data is not None:
        root, problems = load_yaml(data, str(product_path))
        report.add(problems)
        if root is not None:
            product = _product(product_path, data, root, _info_for(brand), report)
    _raise_errors(report)
    assert product is not None
    return product


def load_stored_product(brand_source: bytes, product_file: str, files: Files[str, bytes]) -> ProductModel:
    """Load a product from files held in memory (a stored version): `files` maps each file name to
    its bytes, `product_file` among them, with the CSV tables it names beside it. The same checks as
    `load_product`, without a folder on disk; raises CatalogError listing every problem."""
    report = Report()
    brand = _brand_of(Path(BRAND_FILE), brand_source, report)
    data = files.get(product_file)
    product: ProductModel | None = None
    if data is None:
        report.error(Code.FILE_MISSING, f"{product_file} is not among the stored files", None, "store it")
    else:
        root, problems = load_yaml(data, product_file)
        report.add(problems)

        def read(target: Path, local: Report, where: Node) -> bytes | None:
            found = files.get(target.name)
            if found is None:
                local.error(
                    Code.FILE_MISSING, f"{target.name} is not among the stored files", where, "store it"
                )
            return found

        if root is not None:
            product = _product(Path(product_file), data, root, brand, report, read)
    _raise_errors(report)
    assert product is not None
    return product


def load_catalog(folder: PathLike) -> tuple[Brand, dict[str, ProductModel], list[Diagnostic]]:
    """Load brand.yaml and every other *.yaml product file in a folder.

    Returns the brand, the products by key and the warnings; raises CatalogError with every error of
    every file at once.
    """
    report = Report()
    directory = Path(folder)
    if not directory.is_dir():
        raise CatalogError(
            [
                Diagnostic(
                    "error",
                    Code.FILE_MISSING,
                    f"{directory} is not a folder",
                    SourceRef(str(directory), 1, 1),
                    "give the folder holding brand.yaml",
                )
            ]
        )
    brand_path = directory / BRAND_FILE
    brand = _brand_info(brand_path, report)
    products: dict[str, ProductModel] = {}
    first_seen: dict[str, SourceRef] = {}
    paths = sorted(p for p in directory.iterdir() if p.suffix == ".yaml" and p.name != BRAND_FILE)
    for odd in sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".YAML", ".YML")):
        report.warning(
            Code.FILE_IGNORED,
            f"{odd.name} is ignored: catalog files end in .yaml",
            SourceRef(str(odd), 1, 1),
            f"rename it to {odd.stem}.yaml",
        )
    if not paths:
        report.warning(
            Code.FILE_IGNORED,
            f"no product files in {directory}",
            SourceRef(str(brand_path), 1, 1),
            "add a product file such as engraved-mug.yaml next to brand.yaml",
        )
    for path in paths:
        data = _read(path, report, MAX_YAML_BYTES)
        if data is None:
            continue
        root, problems = load_yaml(data, str(path))
        report.add(problems)
        if root is None:
            continue
        if isinstance(root, Mapping) and root.get("brand") is not None and root.get("product") is None:
            report.error(
                Code.DUPLICATE,
                f"{path.name} is a brand file; a catalog has one brand, in {BRAND_FILE}",
                root.key_node("brand"),
                f"merge it into {BRAND_FILE}, or move it to another folder",
            )
            continue
        product = _product(path, data, root, brand, report)
        if product is None:
            continue
        if product.key in products:
            report.error(
                Code.DUPLICATE,
                f"product {product.key!r} is already defined in {first_seen[product.key].file}",
                product.source,
                "give each product its own key",
            )
            continue
        products[product.key] = product
        if product.source is not None:
            first_seen[product.key] = product.source
    _raise_errors(report)
    warnings = [d for d in report.diagnostics if d.severity == "warning"]
    return brand.brand, products, warnings
