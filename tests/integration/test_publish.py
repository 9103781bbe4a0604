"""Publishing rule sets: immutable versions by content hash, and what a new version would break."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, text

from configurator.carts import services as carts
from configurator.catalog.models import ProductVersion
from configurator.cli import main
from configurator.extensions import db
from tests.conftest import TEST_CATALOG
from tests.support.catalogs import BAD_IMAGES, other_brand, png, with_poster_view, without_gold
from tests.support.checkout import cart_total, ready_cart
from tests.support.services import Postgres

ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}


@pytest.fixture
def cli(postgres: Postgres, pg_app: Flask, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ATELIER_DATABASE_URL", postgres.url)
    return CliRunner()


@pytest.fixture
def no_gold(tmp_path: Path) -> Path:
    return without_gold(tmp_path)


def versions_of(app: Flask, key: str) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(ProductVersion.product_key == key))
        db.session.remove()
    return int(count or 0)


def carted_designs(app: Flask, picks: list[dict[str, Any]]) -> tuple[list[str], str]:
    from configurator.carts import services as carts
    from configurator.designs import services as designs

    with app.app_context():
        saved = [designs.save("mug", p) for p in picks]
        cart = carts.create("EUR")
        carts.add_line(cart, saved[0], 1)
        ids, token = [d.public_id for d in saved], cart.token
        db.session.remove()
    return ids, token


def test_publishing_the_same_sources_twice_is_a_no_op(cli: CliRunner, pg_app: Flask) -> None:
    before = versions_of(pg_app, "mug")
    result = cli.invoke(main, ["rules", "publish", str(TEST_CATALOG)])
    assert result.exit_code == 0, result.output
    assert "mug: unchanged" in result.output
    assert versions_of(pg_app, "mug") == before == 1


def test_diff_and_publish_list_what_a_new_version_breaks(
    cli: CliRunner, pg_app: Flask, no_gold: Path
) -> None:
    # Given a gold mug in an open cart and a saved white one
    (gold, white), token = carted_designs(pg_app, [{"colour": "gold"}, {"colour": "white"}])
    # When the merchant asks what withdrawing gold would do
    diff = cli.invoke(main, ["rules", "diff", str(no_gold)])
    assert diff.exit_code == 0, diff.output
    assert "Would publish: mug" in diff.output
    assert f"mug design {gold}" in diff.output
    assert "mug cart line 1" in diff.output
    assert white not in diff.output
    assert "1 saved design(s), 1 line(s) in open carts" in diff.output
    assert versions_of(pg_app, "mug") == 1  # a diff writes nothing
    # Then publishing says the same and creates one version
    published = cli.invoke(main, ["rules", "publish", str(no_gold)])
    assert published.exit_code == 0, published.output
    assert "mug: published version 3" in published.output  # versions 1 and 2 are the mug and the poster
    assert "poster: unchanged" in published.output
    assert f"mug design {gold}" in published.output
    assert versions_of(pg_app, "mug") == 2
    # And publishing the old sources again makes the old version live again, without a copy
    back = cli.invoke(main, ["rules", "publish", str(TEST_CATALOG)])
    assert "mug: version 1 is live again" in back.output
    assert versions_of(pg_app, "mug") == 2


def test_a_broken_catalog_publishes_nothing(cli: CliRunner, pg_app: Flask, no_gold: Path) -> None:
    (no_gold / "mug.yaml").write_text(
        (no_gold / "mug.yaml").read_text().replace("default: white", "default: teal")
    )
    result = cli.invoke(main, ["rules", "publish", str(no_gold)])
    assert result.exit_code == 1
    assert "mug.yaml:" in result.output
    assert "nothing was published" in result.output
    assert versions_of(pg_app, "mug") == 1


@pytest.mark.parametrize("kind", sorted(BAD_IMAGES))
def test_publish_refuses_what_check_refuses(cli: CliRunner, pg_app: Flask, tmp_path: Path, kind: str) -> None:
    # Given a poster whose view draws a file named .png that is no usable PNG
    folder = with_poster_view(tmp_path, BAD_IMAGES[kind])
    checked = cli.invoke(main, ["rules", "check", str(folder)])
    assert checked.exit_code == 1
    # When it is published
    published = cli.invoke(main, ["rules", "publish", str(folder)])
    # Then it is refused with the errors `rules check` gives, where they are, and nothing is stored
    assert published.exit_code == 1, published.output
    assert "nothing was published" in published.output
    errors = [line for line in checked.stderr.splitlines() if ": error: " in line]
    assert errors
    assert errors == [line for line in published.stderr.splitlines() if ": error: " in line]
    assert versions_of(pg_app, "poster") == 1


def test_a_catalog_with_a_good_view_image_is_published(cli: CliRunner, pg_app: Flask, tmp_path: Path) -> None:
    published = cli.invoke(main, ["rules", "publish", str(with_poster_view(tmp_path, png()))])
    assert published.exit_code == 0, published.output
    assert "poster: published version" in published.output
    assert versions_of(pg_app, "poster") == 2


def test_publishing_another_brand_needs_the_flag_and_both_outputs_list_the_totals_it_changes(
    cli: CliRunner, pg_app: Flask, tmp_path: Path
) -> None:
    # Given an open cart to France holding a white mug: 22.80 with VAT added on top
    token = ready_cart(pg_app, [("mug", {"colour": "white"}, 1)])
    assert cart_total(pg_app, token)[0] == Decimal("22.80")
    with pg_app.app_context():
        cart = carts.find(token).id
        db.session.remove()
    folder = other_brand(tmp_path)  # prices include tax
    listed = re.compile(
        rf"^  cart {cart}: 22\.80 EUR \(tax added\) -> 19\.00 EUR \(tax included\)$", re.MULTILINE
    )
    # When it is published without the flag
    refused = cli.invoke(main, ["rules", "publish", str(folder)])
    # Then it is refused, naming both brands, the cart's old and new totals, and the flag to add
    assert refused.exit_code == 1, refused.output
    assert "test-atelier" in refused.output
    assert "other-atelier" in refused.output
    assert "--confirm-brand-change" in refused.output
    assert listed.search(refused.output), refused.output
    assert "nothing was published" in refused.output
    assert versions_of(pg_app, "mug") == 1
    assert cart_total(pg_app, token)[0] == Decimal("22.80")
    # When it is published with the flag, then it is, and the output lists the same totals
    published = cli.invoke(main, ["rules", "publish", "--confirm-brand-change", str(folder)])
    assert published.exit_code == 0, published.output
    assert "mug: published version" in published.output
    assert listed.search(published.output), published.output
    assert cart_total(pg_app, token)[0] == Decimal("19.00")


def test_diff_lists_a_brand_change_and_the_totals_it_changes(
    cli: CliRunner, pg_app: Flask, tmp_path: Path
) -> None:
    ready_cart(pg_app, [("mug", {"colour": "white"}, 1)])
    diff = cli.invoke(main, ["rules", "diff", str(other_brand(tmp_path))])
    assert diff.exit_code == 0, diff.output
    assert "test-atelier" in diff.output
    assert "other-atelier" in diff.output
    assert "22.80 EUR (tax added) -> 19.00 EUR (tax included)" in diff.output
    assert versions_of(pg_app, "mug") == 1


def test_db_upgrade_is_idempotent(cli: CliRunner, pg_app: Flask) -> None:
    # Flask-Migrate's commands come with the app: upgrading an up-to-date schema leaves it at the head.
    from alembic.script import ScriptDirectory

    from configurator import MIGRATIONS

    for _ in range(2):
        result = cli.invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
    with pg_app.app_context():
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == ScriptDirectory(str(MIGRATIONS)).get_current_head()
