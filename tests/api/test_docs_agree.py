"""Figures and policies the docs state are the ones the code applies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configurator.admin.rulesets import MAX_BODY_BYTES
from configurator.config import DEFAULTS
from configurator.partners.embed import content_security_policy

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def test_the_embed_pages_policy_is_the_one_partners_are_shown() -> None:
    text = (ROOT / "docs" / "partners.md").read_text(encoding="utf-8")
    block = re.search(r"```\nContent-Security-Policy: (.*?)\n```", text, re.S)
    assert block is not None
    shown = [directive.strip() for directive in " ".join(block.group(1).split()).split(";")]
    origins = shown[-1].removeprefix("frame-ancestors ").split()
    assert shown == content_security_policy(origins).split("; ")
    assert "'unsafe-inline'" not in content_security_policy(origins)


def test_the_rule_set_body_limit_is_the_one_the_docs_state() -> None:
    assert MAX_BODY_BYTES % MB == 0
    figure = f"{MAX_BODY_BYTES // MB} MB"
    admin = (ROOT / "docs" / "admin.md").read_text(encoding="utf-8")
    assert f"A body over {figure} is refused with `413`" in " ".join(admin.split())
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    (row,) = [line for line in operations.splitlines() if line.startswith("| Rule-set uploads")]
    assert f"| {figure} for the request" in row


@pytest.mark.parametrize("page", ["README.md", "docs/deployment.md", "docs/uploads.md"])
def test_the_preview_store_budget_is_documented_with_its_defaults(page: str) -> None:
    rows = [
        line
        for line in (ROOT / page).read_text(encoding="utf-8").splitlines()
        if line.startswith("|") and "`ATELIER_PREVIEW_STORE_" in line
    ]
    assert rows, f"{page} has no row for the preview store's settings"
    text = " ".join(rows)
    for setting in ("ATELIER_PREVIEW_STORE_MB", "ATELIER_PREVIEW_STORE_DAYS"):
        assert f"`{setting}`" in text
        assert re.search(rf"\b{DEFAULTS[setting]}\b", text), f"{page}: the default of {setting}"
