"""The `atelier` command, driven through click's CliRunner."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from configurator.cli import main
from tests.support.catalogs import BAD_IMAGES, with_poster_view
from tests.support.services import free_port
from tests.support.waiting import WAIT_WITHIN, wait_until

TEST_CATALOG = Path(__file__).parents[1] / "fixtures" / "catalog"
WHERE = re.compile(r"\S+\.yaml:\d+:\d+: error: ")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def broken_catalog(tmp_path: Path) -> Path:
    """The test catalog with a typo in one rule of the mug."""
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    mug = folder / "mug.yaml"
    mug.write_text(
        mug.read_text(encoding="utf-8").replace("material == enamel ->", "materail == enamel ->"),
        encoding="utf-8",
    )
    return folder


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output
    assert "rules" in result.output
    result = runner.invoke(main, ["rules", "--help"])
    assert {"check", "explain", "schema", "new"} <= set(result.output.split())


def test_check_a_clean_catalog(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "check", str(TEST_CATALOG)])
    assert result.exit_code == 0, result.output
    assert re.search(r"^mug: [\d,]+ possible designs$", result.output, re.MULTILINE)
    assert re.search(r"^poster: [\d,]+ possible designs$", result.output, re.MULTILINE)
    assert "2 products checked: 0 errors" in result.output


def test_check_without_the_engine_analyses_still_counts(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("configurator.cli._analyser", lambda: None)
    result = runner.invoke(main, ["rules", "check", str(TEST_CATALOG)])
    assert result.exit_code == 0, result.output
    assert re.search(r"^mug: [\d,]+ possible designs$", result.output, re.MULTILINE)


def test_check_reports_analyses(runner: CliRunner, tmp_path: Path) -> None:
    # Given a rule that forbids gold on every mug, when checked, then gold is reported as a dead option.
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    mug = folder / "mug.yaml"
    text = mug.read_text(encoding="utf-8").replace(
        "rule: material == enamel -> colour != gold", "rule: colour != gold"
    )
    mug.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert re.search(r"mug\.yaml:\d+:\d+: warning: .*gold", result.output), result.output
    assert re.search(r"[1-9]\d* warnings?$", result.output.strip())


def test_check_one_product_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "check", str(TEST_CATALOG / "poster.yaml")])
    assert result.exit_code == 0, result.output
    assert "poster:" in result.output
    assert "mug:" not in result.output


def test_check_reports_errors_with_file_line_column(runner: CliRunner, broken_catalog: Path) -> None:
    result = runner.invoke(main, ["rules", "check", str(broken_catalog)])
    assert result.exit_code == 1
    # click >= 8.2: `output` holds what the terminal shows, stdout and stderr together.
    assert WHERE.search(result.output), result.output
    assert "materail" in result.output
    assert "material" in result.stderr.replace("materail", "")  # the hint names what was meant


@pytest.mark.parametrize("kind", sorted(BAD_IMAGES))
def test_check_refuses_a_view_image_that_is_no_usable_png(
    runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    # Given a poster drawn from a file named .png that is a GIF, an SVG, or declares 30000×30000 pixels
    folder = with_poster_view(tmp_path, BAD_IMAGES[kind])
    # When it is checked, then the layer that draws it is named, by file, line and column
    result = runner.invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 1, result.output
    assert re.search(r"poster\.yaml:\d+:\d+: error: the image 'assets/poster/paper\.png'", result.stderr)
    assert "1 error" in result.output
    assert "BytesIO" not in result.output  # said in words, not in Python's


@pytest.mark.parametrize(
    ("written", "where"),
    [
        ("max_length: 16", "max_length: {big}"),  # a YAML scalar
        ("engraving.length <= 8", "engraving.length <= {big}"),  # a number in a rule
    ],
)
def test_check_places_a_5000_digit_number_on_its_own_line(
    runner: CliRunner, tmp_path: Path, written: str, where: str
) -> None:
    # Given the test catalog with a 5,000-digit integer in the mug
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    mug = folder / "mug.yaml"
    text = mug.read_text(encoding="utf-8")
    line = text[: text.index(written)].count("\n") + 1
    mug.write_text(text.replace(written, where.format(big="1" * 5_000)), encoding="utf-8")

    # When the merchant checks it
    result = runner.invoke(main, ["rules", "check", str(folder)])

    # Then the one error points at that line, and nothing crashed
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert re.search(rf"mug\.yaml:{line}:\d+: error: the number is 5000 characters long", result.output)
    assert "1 error" in result.output


def test_check_refuses_an_attribute_named_like_a_price(runner: CliRunner, tmp_path: Path) -> None:
    # Given a product whose attribute is called `unit_price`: the API would refuse every pick of it
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    mug = folder / "mug.yaml"
    text = mug.read_text(encoding="utf-8")
    line = text[: text.index("  gift_box:")].count("\n") + 1
    mug.write_text(text.replace("gift_box", "unit_price"), encoding="utf-8")

    result = runner.invoke(main, ["rules", "check", str(folder)])

    assert result.exit_code == 1, result.output
    assert (
        f"mug.yaml:{line}:3: error: the attribute key 'unit_price' names an amount of money" in result.output
    )


def test_check_needs_a_path(runner: CliRunner) -> None:
    assert runner.invoke(main, ["rules", "check"]).exit_code == 2
    assert runner.invoke(main, ["rules", "check", "/no/such/folder"]).exit_code == 2


def test_explain_shows_domains_reasons_and_price(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "rules",
            "explain",
            "mug",
            "--catalog",
            str(TEST_CATALOG),
            "--pick",
            "material=enamel",
            "--pick",
            "gift_box=yes",
        ],
    )
    assert result.exit_code == 0, result.output
    gold = next(line for line in result.output.splitlines() if line.strip().startswith("-- gold"))
    assert "Enamel mugs don't come in gold." in gold
    assert "enamel-not-gold" in gold
    assert re.search(r"Total\s+19\.00$", result.output, re.MULTILINE)
    assert "Designs left:" in result.output


def test_explain_in_french_and_dollars(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "rules",
            "explain",
            "mug",
            "--catalog",
            str(TEST_CATALOG),
            "--pick",
            "material=enamel",
            "--locale",
            "fr",
            "--currency",
            "USD",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Mug gravé" in result.output
    assert "Les mugs en émail n'existent pas en or." in result.output
    assert "USD" in result.output


def test_explain_json_matches_the_api(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "rules",
            "explain",
            "poster",
            "--catalog",
            str(TEST_CATALOG),
            "--pick",
            "width=60",
            "--pick",
            "extras=hanger",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.output)
    extras = next(d for d in answer["domains"] if d["key"] == "extras")
    assert extras["picked"] == ["hanger"]
    assert answer["valid"] is True
    assert isinstance(answer["price"]["total"], str)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["teapot"], "teapot"),
        (["mug", "--pick", "colr=white"], "colr"),
        (["mug", "--currency", "JPY"], "JPY"),
    ],
)
def test_explain_errors_exit_1(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(main, ["rules", "explain", *args, "--catalog", str(TEST_CATALOG)])
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize("pick", ["colour", "gift_box=perhaps", "=white", "width=wide"])
def test_explain_bad_pick_syntax_is_a_usage_error(runner: CliRunner, pick: str) -> None:
    product = "poster" if pick.startswith("width") else "mug"
    result = runner.invoke(
        main, ["rules", "explain", product, "--catalog", str(TEST_CATALOG), "--pick", pick]
    )
    assert result.exit_code == 2


def test_explain_a_broken_catalog(runner: CliRunner, broken_catalog: Path) -> None:
    result = runner.invoke(main, ["rules", "explain", "mug", "--catalog", str(broken_catalog)])
    assert result.exit_code == 1
    assert WHERE.search(result.output)


DEMO_CATALOG = Path(__file__).parents[2] / "catalog"


def test_explain_takes_a_photo_pick_without_the_shop(runner: CliRunner) -> None:
    # Given the demo cake, whose photo is an image attribute, and no shop to look uploads up in
    # When a photo is picked
    result = runner.invoke(
        main,
        ["rules", "explain", "celebration-cake", "--catalog", str(DEMO_CATALOG), "--pick", "photo=f00d"],
    )
    # Then the answer is explained and priced with the photo, and the photo reads as an image
    assert result.exit_code == 0, result.output
    assert result.exception is None
    rows = result.output.splitlines()
    head = next(i for i, line in enumerate(rows) if line.startswith("Photo on the top [photo, image]"))
    assert rows[head].endswith("picked f00d")
    assert rows[head + 1] == (
        "  image: given (explain does not look uploads up: it reads the catalog files only)"
    )
    assert re.search(r"^  Photo on the top\s+6\.00$", result.output, re.MULTILINE)
    assert "characters" not in rows[head + 1]


def test_explain_shows_an_image_left_out_as_optional(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "explain", "celebration-cake", "--catalog", str(DEMO_CATALOG)])
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()
    head = next(i for i, line in enumerate(rows) if line.startswith("Photo on the top [photo, image]"))
    assert rows[head + 1] == "  image: may be given or left out"


def test_schema_is_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)


def test_run_serves_the_catalog(tmp_path: Path) -> None:
    # The real command in its own process, as `make run` starts it: it must serve, not just build.
    port = free_port()
    environment = {
        **os.environ,
        "ATELIER_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "ATELIER_MEDIA_ROOT": str(tmp_path / "media"),
    }
    command = [sys.executable, "-c", "from configurator.cli import main; main()", "run"]
    command += ["--catalog", str(TEST_CATALOG), "--port", str(port)]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), what="atelier run to serve /healthz")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/products") as response:
            assert len(json.load(response)["products"]) == 2
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=WAIT_WITHIN)
    assert "2 products" in output.decode()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_run_refuses_production_without_secrets(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATELIER_MODE", "production")
    monkeypatch.setattr("configurator.cli.run_simple", lambda *args, **kwargs: pytest.fail("must not serve"))
    result = runner.invoke(main, ["run", "--catalog", str(TEST_CATALOG)])
    assert result.exit_code == 1
    assert "ATELIER_SECRET_KEY" in result.output


def test_run_refuses_a_broken_catalog(
    runner: CliRunner, broken_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("configurator.cli.run_simple", lambda *args, **kwargs: pytest.fail("must not serve"))
    result = runner.invoke(main, ["run", "--catalog", str(broken_catalog)])
    assert result.exit_code == 1
    assert WHERE.search(result.output)


def test_the_demo_catalog_is_clean(runner: CliRunner) -> None:
    demo = DEMO_CATALOG
    result = runner.invoke(main, ["rules", "check", str(demo)])
    assert result.exit_code == 0, result.output
    assert " 0 errors" in result.output


# -- atelier rules new ---------------------------------------------------------------------------------


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    return folder


def test_new_starts_a_product_that_checks_without_an_error(runner: CliRunner, catalog_copy: Path) -> None:
    # Given a catalog folder
    # When a merchant starts a product
    result = runner.invoke(main, ["rules", "new", "tote-bag", "--catalog", str(catalog_copy)])
    # Then its file is next to the brand, in the brand's currencies, commented, and reads cleanly
    assert result.exit_code == 0, result.output
    created = catalog_copy / "tote-bag.yaml"
    assert f"Created {created}" in result.output
    text = created.read_text(encoding="utf-8")
    assert text.startswith("# Tote bag: a new product.")
    assert "product: tote-bag" in text
    assert 'price: {EUR: "20.00", USD: "20.00"}' in text
    assert "options: [white, ink, gold]" in text  # the brand's own palette
    assert "max_length: 20" in text  # within the brand's max_text_length
    checked = runner.invoke(main, ["rules", "check", str(created)])
    assert checked.exit_code == 0, checked.output
    assert "tote-bag: " in checked.output
    assert "1 product checked: 0 errors" in checked.output


def test_new_refuses_a_file_that_exists(runner: CliRunner, catalog_copy: Path) -> None:
    before = (catalog_copy / "mug.yaml").read_bytes()
    result = runner.invoke(main, ["rules", "new", "mug", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    assert "mug.yaml already exists" in result.output
    assert (catalog_copy / "mug.yaml").read_bytes() == before


def test_new_refuses_a_key_another_file_has(runner: CliRunner, catalog_copy: Path) -> None:
    (catalog_copy / "poster.yaml").rename(catalog_copy / "wall-poster.yaml")
    result = runner.invoke(main, ["rules", "new", "poster", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    assert "wall-poster.yaml already describes the product 'poster'" in result.output
    assert not (catalog_copy / "poster.yaml").exists()


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("Tote_Bag", "write `tote-bag` instead"),
        ("9bag", "a brand or product key is lowercase letters, digits and -, starting with a letter"),
    ],
)
def test_new_refuses_a_bad_key_with_its_rule(
    runner: CliRunner, catalog_copy: Path, key: str, hint: str
) -> None:
    result = runner.invoke(main, ["rules", "new", key, "--catalog", str(catalog_copy)])
    assert result.exit_code == 2
    assert hint in " ".join(result.output.split())
    assert sorted(p.name for p in catalog_copy.glob("*.yaml")) == ["brand.yaml", "mug.yaml", "poster.yaml"]


def test_new_needs_a_catalog_folder_with_a_brand(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["rules", "new", "tote-bag", "--catalog", str(tmp_path)])
    assert result.exit_code == 1
    assert "brand.yaml" in result.output
    assert not (tmp_path / "tote-bag.yaml").exists()
