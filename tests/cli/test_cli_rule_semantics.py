"""`atelier rules check` and publishing judge the meaning of rules alike: located errors and warnings,
never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from configurator.catalog import versions
from configurator.catalog.errors import CatalogInvalid
from configurator.cli import main

TEST_CATALOG = Path(__file__).parents[1] / "fixtures" / "catalog"
ENAMEL_RULE = "rule: material == enamel -> colour != gold"
# Where the rule is written in the mug's file: diagnostics are located there.
RULE_LINE = next(
    number
    for number, line in enumerate(
        (TEST_CATALOG / "mug.yaml").read_text(encoding="utf-8").splitlines(), start=1
    )
    if ENAMEL_RULE in line
)


def with_rule(tmp_path: Path, rule: str) -> Path:
    """The test catalog with the mug's first rule written as `rule`."""
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    mug = folder / "mug.yaml"
    mug.write_text(mug.read_text(encoding="utf-8").replace(ENAMEL_RULE, f"rule: {rule}"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("rule", ["'false'", "'1 > 2'"])
def test_a_rule_that_never_holds_is_refused_by_check_and_publish_alike(tmp_path: Path, rule: str) -> None:
    # Given a rule that names no attribute and never holds
    folder = with_rule(tmp_path, rule)
    # When it is checked, then it is one located error, not a traceback
    result = CliRunner().invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"mug.yaml:{RULE_LINE}:" in result.stderr
    assert "never holds" in result.stderr
    # and publishing refuses the same catalog with the same diagnostic
    with pytest.raises(CatalogInvalid) as caught:
        versions.read_snapshot(folder)
    (diagnostic,) = caught.value.diagnostics
    assert str(diagnostic) in result.stderr


def test_a_rule_that_always_holds_is_a_warning_for_check_and_publish_alike(tmp_path: Path) -> None:
    folder = with_rule(tmp_path, "'true'")
    result = CliRunner().invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"mug.yaml:{RULE_LINE}:" in result.output
    assert "constrains nothing" in result.output
    snapshot = versions.read_snapshot(folder)
    (warning,) = [w for w in snapshot.warnings if w.code == "constant-rule"]
    assert str(warning) in result.output
