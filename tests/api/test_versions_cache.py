"""Compiled versions are kept within a budget: many versions published, memory stays bounded, and a
version dropped from the cache is compiled again, the same, when asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cachetools import LRUCache
from flask import Flask

from configurator.catalog import versions
from configurator.catalog.models import ProductVersion
from configurator.extensions import db
from rules import product as compiled_products
from tests.conftest import TEST_CATALOG

PUBLISHED = 12


def publish_versions(app: Flask, tmp_path: Path, count: int) -> list[int]:
    """Publish `count` versions of the mug, each with another label, and answer their ids."""
    ids = []
    for number in range(count):
        folder = tmp_path / f"catalog-{number}"
        shutil.copytree(TEST_CATALOG, folder)
        mug = folder / "mug.yaml"
        mug.write_text(mug.read_text().replace("Engraved mug", f"Engraved mug {number}"))
        with app.app_context():
            result = versions.publish_folder(folder)
            ids.append(result.created["mug"].id)
    return ids


def test_many_published_versions_are_kept_within_the_budget(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = publish_versions(app, tmp_path, PUBLISHED)
    monkeypatch.setattr(compiled_products, "_cache", LRUCache(maxsize=3))
    with app.app_context():
        one = versions.served(db.session.get(ProductVersion, ids[0]))
    budget = 3 * one.footprint() + one.footprint() // 2  # room for three versions, not four
    versions.keep_within(budget)
    try:
        with app.app_context():
            first = versions.product_for_id(ids[0])
            expected = (first.count(), first.model.label.get("en"))
            for version_id in ids:
                versions.product_for_id(version_id)
                count, size = versions.kept()
                assert count <= 3
                assert size <= budget
                assert len(compiled_products._cache) <= 3
            assert versions.kept()[0] == 3
            # The first version was dropped long ago: asked for again, it is compiled again, the same.
            again = versions.product_for_id(ids[0])
            assert again is not first
            assert (again.count(), again.model.label.get("en")) == expected
            assert expected[1] == "Engraved mug 0"
    finally:
        versions.keep_within(versions.DEFAULT_BUDGET)


def test_a_version_larger_than_the_whole_budget_is_served_without_being_kept(
    app: Flask, tmp_path: Path
) -> None:
    [version_id] = publish_versions(app, tmp_path, 1)
    versions.keep_within(1)
    try:
        with app.app_context():
            product = versions.product_for_id(version_id)
            assert product.model.label.get("en") == "Engraved mug 0"
            assert versions.kept() == (0, 0)
    finally:
        versions.keep_within(versions.DEFAULT_BUDGET)
