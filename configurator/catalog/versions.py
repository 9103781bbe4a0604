"""Published rule sets: publish a catalog folder as immutable versions, find the live ones, and serve
a compiled product for any version a design, cart line or order pinned.

A version is the brand file, the product file and the CSV tables it names, stored as text and keyed by
the loader's content hash; publishing unchanged sources is a no-op. Compiled products are cached per
process by that hash, so a version is compiled at most once per worker.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cachetools import LRUCache
from sqlalchemy import func, select

from configurator.availability import services as availability
from configurator.catalog.errors import CatalogInvalid, CatalogNotPublished, ProductNotFound
from configurator.catalog.models import AssetBlob, BrandVersion, ProductVersion
from configurator.dbtypes import utcnow
from configurator.extensions import db
from rules import Catalog, Product, load_catalog, preview
from rules.analysis import check_catalog
from rules.availability import Withdrawn, withdraw, withdrawable
from rules.errors import CatalogError, Diagnostic
from rules.language import load_stored_product
from rules.model import Brand

BRAND_FILE = "brand.yaml"
PRODUCT_FILE = "product.yaml"  # name of the product file inside a stored version


@dataclass(frozen=True)
class Snapshot:
    """A catalog folder read into memory: the brand text, each product's files by name, and the
    preview assets each product's views read."""

    brand_source: str
    brand_hash: str
    catalog: Catalog
    product_files: Mapping[str, dict[str, str]]
    product_assets: Mapping[str, dict[str, bytes]] = field(default_factory=dict)
    # What `atelier rules check` warns about (the loader's warnings, then the analyses'): it publishes.
    warnings: tuple[Diagnostic, ...] = ()

    def content_hash(self, key: str) -> str:
        """The version key of a product: its sources and the digest of every asset it reads."""
        product = self.catalog.products[key]
        return preview.content_hash(product, preview.MemoryAssets(self.product_assets.get(key, {})))


@dataclass
class PublishResult:
    """What a publish did: the versions created and those already live, per product key."""

    created: dict[str, ProductVersion] = field(default_factory=dict)
    unchanged: dict[str, ProductVersion] = field(default_factory=dict)
    reactivated: dict[str, ProductVersion] = field(default_factory=dict)
    previous: dict[str, ProductVersion | None] = field(default_factory=dict)


def read_snapshot(folder: str | Path) -> Snapshot:
    """Load a catalog folder and run every check `atelier rules check` runs on it (the views against
    the very bytes that would be stored), keeping the text of every file a product needs.

    `CatalogInvalid` lists the errors, each at its file, line and column, when any is found.
    """
    path = Path(folder)
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        raise CatalogInvalid(f"The catalog in {path} does not load:\n{error}", error.diagnostics) from error
    brand_source = (path / BRAND_FILE).read_text(encoding="utf-8")
    files: dict[str, dict[str, str]] = {}
    assets: dict[str, dict[str, bytes]] = {}
    missing: list[Diagnostic] = []
    tables = sorted(p for p in path.iterdir() if p.suffix == ".csv")
    for key, product in catalog.products.items():
        source = product.model.source
        assert source is not None, "the loader records where each product was written"
        text = Path(source.file).read_text(encoding="utf-8")
        product_files = {PRODUCT_FILE: text}
        # The CSV tables a product names sit beside it; a file the product does not name is inert.
        product_files.update({t.name: t.read_text(encoding="utf-8") for t in tables if t.name in text})
        files[key] = product_files
        assets[key] = {}
        for name in product.model.asset_files():
            try:
                assets[key][name] = (path / name).read_bytes()
            except OSError as error:
                missing.append(_missing_asset(key, product, name, error))
    if missing:
        listed = "\n".join(str(diagnostic) for diagnostic in missing)
        raise CatalogInvalid(f"The catalog in {path} lacks files its views draw:\n{listed}", missing)
    checked = check_catalog(catalog, {key: preview.MemoryAssets(found) for key, found in assets.items()})
    if checked.errors:
        listed = "\n".join(str(diagnostic) for diagnostic in checked.errors)
        raise CatalogInvalid(f"The catalog in {path} does not pass its checks:\n{listed}", checked.errors)
    return Snapshot(brand_source, _sha256(brand_source), catalog, files, assets, checked.warnings)


def _missing_asset(key: str, product: Product, name: str, error: OSError) -> Diagnostic:
    return Diagnostic(
        severity="error",
        code="missing-asset",
        message=f"{name} cannot be read ({error.strerror}): a view of {key} draws it.",
        source=product.model.source,
        hint=f"Put {name} in the catalog folder, at that path (through the admin API: under `assets`).",
    )


def publish(snapshot: Snapshot) -> PublishResult:
    """Store every product of the snapshot as a version (new sources only) and make them live.

    The caller commits: a publish is one transaction.
    """
    brand_version = db.session.scalar(
        select(BrandVersion).where(BrandVersion.content_hash == snapshot.brand_hash)
    )
    if brand_version is None:
        brand_version = BrandVersion(
            brand_key=snapshot.catalog.brand.key,
            content_hash=snapshot.brand_hash,
            source=snapshot.brand_source,
        )
        db.session.add(brand_version)
        db.session.flush()
    live = live_versions()
    result = PublishResult()
    for key, product in snapshot.catalog.products.items():
        content_hash = snapshot.content_hash(key)
        result.previous[key] = live.get(key)
        existing = db.session.scalar(
            select(ProductVersion).where(
                ProductVersion.product_key == key, ProductVersion.content_hash == content_hash
            )
        )
        if existing is None:
            version = ProductVersion(
                product_key=key,
                content_hash=content_hash,
                brand_version=brand_version,
                sources=snapshot.product_files[key],
                assets=_store_assets(snapshot.product_assets.get(key, {})),
                design_count=str(product.count()),
            )
            db.session.add(version)
            result.created[key] = version
            _remember(content_hash, product, preview.MemoryAssets(snapshot.product_assets.get(key, {})))
        elif live.get(key) is existing:
            result.unchanged[key] = live[key]
        else:
            existing.activated_at = utcnow()
            result.reactivated[key] = existing
    db.session.flush()
    global _publications
    _publications += 1
    return result


def publish_folder(folder: str | Path) -> PublishResult:
    """Read, check and publish a catalog folder in one transaction."""
    result = publish(read_snapshot(folder))
    db.session.commit()
    return result


@dataclass(frozen=True)
class LiveEntry:
    """What identifies a product's live version, without its sources."""

    product_key: str
    version_id: int
    content_hash: str
    activated_at: datetime


# Bumped by every publish in this process, so the process that publishes never serves its own
# previous catalog from a cache.
_publications = 0


def publications() -> int:
    """How many publishes this process has made (a change means the live versions may have moved)."""
    return _publications


def live_entries() -> tuple[LiveEntry, ...]:
    """The live version of every product, by product key: one light query (no sources read)."""
    latest = (
        select(ProductVersion.product_key, func.max(ProductVersion.activated_at).label("at"))
        .group_by(ProductVersion.product_key)
        .subquery()
    )
    rows = db.session.execute(
        select(
            ProductVersion.product_key,
            ProductVersion.id,
            ProductVersion.content_hash,
            ProductVersion.activated_at,
        )
        .join(
            latest,
            (ProductVersion.product_key == latest.c.product_key)
            & (ProductVersion.activated_at == latest.c.at),
        )
        .order_by(ProductVersion.product_key)
    )
    return tuple(LiveEntry(*row) for row in rows)


def live_versions() -> dict[str, ProductVersion]:
    """The version shoppers configure now, per product: the one activated last."""
    latest = (
        select(ProductVersion.product_key, func.max(ProductVersion.activated_at).label("at"))
        .group_by(ProductVersion.product_key)
        .subquery()
    )
    rows = db.session.scalars(
        select(ProductVersion)
        .join(
            latest,
            (ProductVersion.product_key == latest.c.product_key)
            & (ProductVersion.activated_at == latest.c.at),
        )
        .order_by(ProductVersion.product_key)
    )
    return {version.product_key: version for version in rows}


@dataclass(frozen=True)
class Rules:
    """What designs are read and carts priced by: the brand, and the product each key is configured
    with (its live version, or the product a publish is about to make live)."""

    brand: Brand
    live: Mapping[str, ProductVersion]
    pending: Mapping[str, Product] = field(default_factory=dict)
    availability: availability.State = field(default_factory=availability.State)

    def product(self, key: str) -> tuple[Product, ProductVersion | None]:
        """The product shoppers configure under `key` (with the options off sale withdrawn), and its
        stored version (None while it is only about to be published); `ProductNotFound` when there is
        none."""
        withdrawn = self.availability.of(key)
        if key in self.pending:
            return available(self.pending[key], withdrawn), None
        version = self.live.get(key)
        if version is None:
            raise ProductNotFound(f"There is no product {key!r} in this catalog.")
        return available(product_for(version), withdrawn), version


def live_rules() -> Rules:
    """The rules shoppers configure with now: the live versions, the brand published last, and the
    options off sale at this moment."""
    live = live_versions()
    if not live:
        raise CatalogNotPublished("No catalog is published yet.")
    state = availability.withdrawn_at(availability.now())
    return Rules(product_for(newest_of(live)).model.brand, live, availability=state)


# Published products with options withdrawn, by the hash that names both: one per version and state
# of availability, so configure keeps its speed while the state stays the same.
_available: LRUCache[str, Product] = LRUCache(maxsize=64)
_available_lock = threading.Lock()


def available(product: Product, withdrawn: tuple[Withdrawn, ...]) -> Product:
    """The product with these options withdrawn (one more rule each); itself when none is."""
    # A version published since may have dropped an option still marked: nothing left to withdraw.
    kept = tuple(w for w in withdrawn if withdrawable(product.model, w))
    if not kept:
        return product
    model = withdraw(product.model, kept)
    with _available_lock:
        found = _available.get(model.source_hash)
    if found is not None:
        return found
    compiled = Product(model)
    with _available_lock:
        return _available.setdefault(model.source_hash, compiled)


def live_product(version: ProductVersion) -> Product:
    """The product of a live version as shoppers configure it now: the options off sale withdrawn."""
    state = availability.withdrawn_at(availability.now())
    return available(product_for(version), state.of(version.product_key))


def newest_of(live: Mapping[str, ProductVersion]) -> ProductVersion:
    """The version activated last: its brand is the shop's."""
    return max(live.values(), key=lambda v: (v.activated_at, v.id))


def rules_after(snapshot: Snapshot, now: Rules) -> Rules:
    """The rules once `snapshot` is published: its products over the live ones, and its brand (every
    product it changes is published with it, and the brand published last is the shop's)."""
    return Rules(snapshot.catalog.brand, now.live, dict(snapshot.catalog.products), now.availability)


@dataclass(frozen=True)
class Served:
    """A stored version ready to use: the compiled product and the assets its previews read."""

    product: Product
    assets: preview.MemoryAssets

    def footprint(self) -> int:
        """Roughly the bytes it keeps in memory: the compiled product and the asset files."""
        return self.product.footprint + sum(len(data) for data in self.assets.files.values())


# Versions ready to use, within a budget of bytes (`keep_within`), the least recently used dropped
# first: a dropped version is read and compiled again from the database when asked for.
DEFAULT_BUDGET = 256 * 1024 * 1024
_served: LRUCache[str, Served] = LRUCache(maxsize=DEFAULT_BUDGET, getsizeof=Served.footprint)
_served_lock = threading.Lock()  # cachetools' caches are not thread-safe


def keep_within(budget: int) -> None:
    """Hold the versions ready to use within `budget` bytes (one process shares one cache); a version
    larger than the whole budget is served without being kept."""
    global _served
    with _served_lock:
        if _served.maxsize != budget:
            kept = _served
            _served = LRUCache(maxsize=budget, getsizeof=Served.footprint)
            for key, value in kept.items():
                if value.footprint() <= budget:
                    _served[key] = value


def kept() -> tuple[int, int]:
    """How many versions are ready to use, and roughly how many bytes they keep."""
    with _served_lock:
        return len(_served), int(_served.currsize)


def _remember(content_hash: str, product: Product, assets: preview.MemoryAssets) -> Served:
    served = Served(product, assets)
    with _served_lock:
        found = _served.get(content_hash)
        if found is not None:
            return found
        if served.footprint() <= _served.maxsize:
            _served[content_hash] = served
    return served


def _store_assets(files: Mapping[str, bytes]) -> dict[str, str]:
    """Store each asset's bytes once (by sha256); the version keeps path -> sha256."""
    index: dict[str, str] = {}
    for name, data in sorted(files.items()):
        digest = hashlib.sha256(data).hexdigest()
        if db.session.get(AssetBlob, digest) is None:
            db.session.add(AssetBlob(sha256=digest, data=data, size=len(data)))
            db.session.flush()
        index[name] = digest
    return index


def served(version: ProductVersion) -> Served:
    """The compiled product and assets of a stored version (built once per process, then cached)."""
    with _served_lock:
        found = _served.get(version.content_hash)
    if found is not None:
        return found
    files = {name: text.encode("utf-8") for name, text in version.sources.items()}
    product = Product(load_stored_product(version.brand_version.source.encode("utf-8"), PRODUCT_FILE, files))
    digests = dict(version.assets or {})
    blobs = {
        b.sha256: b.data
        for b in db.session.scalars(select(AssetBlob).where(AssetBlob.sha256.in_(digests.values())))
    }
    assets = preview.MemoryAssets(
        {name: blobs[digest] for name, digest in digests.items() if digest in blobs}
    )
    return _remember(version.content_hash, product, assets)


def product_for_id(version_id: int) -> Product:
    """The compiled product of a stored version, by id (its sources are read only if not yet compiled)."""
    version = db.session.get(ProductVersion, version_id)
    if version is None:
        raise LookupError(f"product version {version_id} does not exist")
    return served(version).product


def product_for(version: ProductVersion) -> Product:
    """The compiled product of a stored version."""
    return served(version).product


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
