"""Rule sets uploaded through the admin API: checked like a catalog folder, then published.

The files are written to a private temporary folder and read by `catalog.versions.read_snapshot`, then
published by `publishing.services.publish`: the path `atelier rules publish` takes, so an upload and a
folder publish run the same checks (those of `atelier rules check`), give the same versions and the
same diagnostics, and refuse another brand alike. Names are restricted to plain file names, so
nothing is written outside it.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select

from configurator.admin.errors import RuleSetInvalid
from configurator.catalog import versions
from configurator.catalog.errors import CatalogInvalid
from configurator.catalog.models import ProductVersion
from configurator.catalog.services import violation_data
from configurator.designs.models import Design
from configurator.errors import FieldError, ValidationFailed
from configurator.extensions import db
from configurator.paging import Page, paginate
from configurator.publishing import impact
from configurator.publishing import services as publishing
from configurator.wording import json_pointer
from rules.errors import Diagnostic

MAX_FILES = 50
MAX_TOTAL_BYTES = 2 * 1024 * 1024
# The images, masks and fonts the views draw, decoded.
MAX_ASSETS = 500
MAX_ASSET_BYTES = 24 * 1024 * 1024
# The largest body a rule set within these limits needs, as JSON: its files escaped (at most six
# bytes for one, `\u00XX`), its assets in base64 (four bytes for three), and 4 MB for names, paths,
# punctuation and indentation (500 asset paths of at most 706 characters take 0.35 MB; encoders that
# escape `/` add a sixty-fourth of the base64, 0.5 MB). 48 MB in all; a larger body is refused (413)
# before it is read. docs/admin.md and docs/operations.md state this figure.
BODY_OVERHEAD_BYTES = 4 * 1024 * 1024
MAX_BODY_BYTES = 6 * MAX_TOTAL_BYTES + 4 * MAX_ASSET_BYTES // 3 + BODY_OVERHEAD_BYTES
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.(yaml|csv)$")
# An asset path as views write it: plain names in at most six folders, with an image or font suffix.
ASSET_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
ASSET_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".ttf", ".otf")
Outcome = Literal["created", "unchanged", "reactivated"]


@dataclass(frozen=True)
class DiagnosticError(FieldError):
    """A loader diagnostic as a problem-details error: where it is and what to write instead."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = dict(super().to_dict())
        item.update({"severity": self.severity, "file": self.file, "line": self.line, "column": self.column})
        if self.hint:
            item["hint"] = self.hint
        return item


@dataclass(frozen=True)
class ProductOutcome:
    product_key: str
    outcome: Outcome
    version: ProductVersion | None  # None only in a dry run that would create a version
    content_hash: str
    previous: ProductVersion | None


@dataclass(frozen=True)
class RuleSetAnswer:
    published: bool
    products: list[ProductOutcome]
    warnings: list[DiagnosticError]
    invalidated: list[dict[str, Any]] = field(default_factory=list)
    brand_change: impact.BrandChange | None = None
    price_changes: impact.PriceChanges = field(default_factory=impact.PriceChanges)


def check_files(files: Mapping[str, str]) -> None:
    """Refuse uploads that are too many, too large or have names that are not plain file names."""
    errors: list[FieldError] = []
    if len(files) > MAX_FILES:
        errors.append(FieldError("files", f"At most {MAX_FILES} files per rule set."))
    for name in files:
        if not FILE_NAME.match(name):
            errors.append(
                FieldError(
                    f"files.{name}",
                    "A file name is letters, digits, - or _ (at most 64), then .yaml or .csv; no folders.",
                )
            )
    if "brand.yaml" not in files:
        errors.append(FieldError("files", "A rule set needs its brand.yaml."))
    size = sum(len(content.encode("utf-8")) for content in files.values())
    if size > MAX_TOTAL_BYTES:
        errors.append(FieldError("files", f"The files hold {size} bytes; at most {MAX_TOTAL_BYTES}."))
    if errors:
        raise ValidationFailed("; ".join(dict.fromkeys(e.detail for e in errors)), errors=errors)


def decode_assets(encoded: Mapping[str, str]) -> dict[str, bytes]:
    """The uploaded assets' bytes (base64 in the request), with their paths checked; refused with one
    error per bad path or encoding, and when too many or too large."""
    errors: list[FieldError] = []
    assets: dict[str, bytes] = {}
    if len(encoded) > MAX_ASSETS:
        errors.append(FieldError("assets", f"At most {MAX_ASSETS} assets per rule set."))
    for path, content in encoded.items():
        parts = path.split("/")
        if len(parts) > 7 or not all(ASSET_PART.match(p) for p in parts) or not path.endswith(ASSET_SUFFIXES):
            detail = (
                "An asset path is plain names separated by / (at most six folders, no . or .. parts), "
                f"ending in {', '.join(ASSET_SUFFIXES)}."
            )
            errors.append(FieldError(f"assets.{path}", detail, pointer=json_pointer(["assets", path])))
            continue
        try:
            assets[path] = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            not_base64 = "Not base64: send the file's bytes base64-encoded."
            errors.append(FieldError(f"assets.{path}", not_base64, pointer=json_pointer(["assets", path])))
    size = sum(len(data) for data in assets.values())
    if size > MAX_ASSET_BYTES:
        errors.append(FieldError("assets", f"The assets hold {size} bytes; at most {MAX_ASSET_BYTES}."))
    if errors:
        raise ValidationFailed("; ".join(dict.fromkeys(e.detail for e in errors)), errors=errors)
    return assets


def _diagnostic(diagnostic: Diagnostic, folder: Path) -> DiagnosticError:
    """A diagnostic told in the uploaded names, never in the server's temporary paths."""
    where = diagnostic.source
    file = Path(where.file).name if where is not None else None
    message = diagnostic.message.replace(f"{folder}/", "").replace(str(folder), ".")
    hint = diagnostic.hint.replace(f"{folder}/", "") if diagnostic.hint else None
    place = f"{file}:{where.line}:{where.column}: " if where is not None else ""
    return DiagnosticError(
        field=f"files.{file}" if file else "files",
        pointer=json_pointer(["files", file] if file else ["files"]),
        detail=f"{place}{message}",
        code=diagnostic.code,
        file=file,
        line=where.line if where is not None else None,
        column=where.column if where is not None else None,
        hint=hint,
        severity=diagnostic.severity,
    )


def read(
    files: Mapping[str, str], assets: Mapping[str, bytes] | None = None
) -> tuple[versions.Snapshot, list[DiagnosticError]]:
    """Load uploaded files and assets as a catalog: the snapshot and its warnings (an asset no view
    draws is one), or `RuleSetInvalid`."""
    check_files(files)
    assets = assets or {}
    with tempfile.TemporaryDirectory(prefix="atelier-upload-") as name:
        folder = Path(name)
        for file_name, content in files.items():
            (folder / file_name).write_text(content, encoding="utf-8")
        for path, data in assets.items():
            target = folder.joinpath(*path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            snapshot = versions.read_snapshot(folder)
        except CatalogInvalid as error:
            found = [_diagnostic(d, folder) for d in error.diagnostics if d.severity == "error"]
            count = len(found)
            raise RuleSetInvalid(
                f"{count} error{'s' if count != 1 else ''} in the rule set; nothing was published.",
                errors=found,
            ) from error
        warnings = [_diagnostic(d, folder) for d in snapshot.warnings]
    if not snapshot.catalog.products:
        raise RuleSetInvalid(
            "The rule set holds no product file; nothing was published.",
            errors=[FieldError("files", "Add at least one product file beside brand.yaml.")],
        )
    drawn = {name for product_assets in snapshot.product_assets.values() for name in product_assets}
    warnings.extend(
        DiagnosticError(
            field=f"assets.{path}",
            pointer=json_pointer(["assets", path]),
            detail=f"{path} is drawn by no view: it is not kept.",
            code="unused-asset",
            severity="warning",
        )
        for path in sorted(set(assets) - drawn)
    )
    return snapshot, warnings


def invalidated(found: impact.Impact) -> list[dict[str, Any]]:
    """Saved designs and open cart lines the live rules accept and the new ones reject, each with the
    rules in the way."""
    return [
        {
            "kind": "design" if broken.cart is None else "cart_line",
            "product_key": broken.product_key,
            "design": broken.design,
            # The cart's token is the shopper's key to it: the admin API names the line, not the cart.
            "cart_line": broken.cart_line,
            "rules": broken.rules(),
            "violations": [violation_data(v, "en") for v in broken.violations],
        }
        for broken in found.broken
    ]


def dry_run(files: Mapping[str, str], assets: Mapping[str, bytes] | None = None) -> RuleSetAnswer:
    """What publishing these files would do, without writing anything."""
    snapshot, warnings = read(files, assets)
    live = versions.live_versions()
    outcomes = []
    for key in snapshot.catalog.products:
        content_hash = snapshot.content_hash(key)
        existing = db.session.scalar(
            select(ProductVersion).where(
                ProductVersion.product_key == key, ProductVersion.content_hash == content_hash
            )
        )
        outcome: Outcome = (
            "created" if existing is None else "unchanged" if live.get(key) is existing else "reactivated"
        )
        outcomes.append(ProductOutcome(key, outcome, existing, content_hash, live.get(key)))
    outcomes.sort(key=lambda o: o.product_key)
    found = impact.impact(snapshot)
    return RuleSetAnswer(
        False, outcomes, warnings, invalidated(found), found.brand_change, found.price_changes
    )


def publish(
    files: Mapping[str, str],
    assets: Mapping[str, bytes] | None = None,
    *,
    confirm_brand_change: bool = False,
) -> RuleSetAnswer:
    """Check and publish these files (and the assets their views draw) as one transaction; commits.

    Another brand than the live one is refused (`BrandChangeUnconfirmed`) unless confirmed."""
    snapshot, warnings = read(files, assets)
    published = publishing.publish(snapshot, confirm_brand_change=confirm_brand_change)
    result, found = published.result, published.impact
    groups: tuple[tuple[Outcome, dict[str, ProductVersion]], ...] = (
        ("created", result.created),
        ("unchanged", result.unchanged),
        ("reactivated", result.reactivated),
    )
    outcomes = [
        ProductOutcome(key, outcome, version, version.content_hash, result.previous.get(key))
        for outcome, versions_of_outcome in groups
        for key, version in versions_of_outcome.items()
    ]
    outcomes.sort(key=lambda o: o.product_key)
    return RuleSetAnswer(
        True, outcomes, warnings, invalidated(found), found.brand_change, found.price_changes
    )


@dataclass(frozen=True)
class VersionRow:
    version: ProductVersion
    live: bool
    saved_designs: int  # designs shoppers saved on this version (not the count of possible designs)


def list_versions(product: str | None, page: int, page_size: int) -> Page[VersionRow]:
    """Published product versions, the most recently activated first, each with its design count."""
    query = select(ProductVersion)
    if product:
        query = query.where(ProductVersion.product_key == product)
    query = query.order_by(ProductVersion.activated_at.desc(), ProductVersion.id.desc())
    found = paginate(query, page, page_size)
    live_ids = {v.id for v in versions.live_versions().values()}
    ids = [v.id for v in found.items]
    counts: dict[int, int] = {}
    if ids:
        counts = dict(
            db.session.execute(
                select(Design.version_id, func.count())
                .where(Design.version_id.in_(ids))
                .group_by(Design.version_id)
            ).all()
        )
    rows = [VersionRow(v, v.id in live_ids, counts.get(v.id, 0)) for v in found.items]
    return Page(rows, found.page, found.page_size, found.total)
