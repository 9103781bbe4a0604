"""Every class of catalog error, with its exact file:line:column, message and hint.

The cases live in `data/language_errors.txt`: each `=== title` gives the files of a
catalog (`--- name` blocks; brand.yaml defaults to BRAND) and, under `--- expect`, every diagnostic
that loading it must raise, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rules.errors import CatalogError
from rules.language import load_catalog

GOLDEN = Path(__file__).parent / "data" / "language_errors.txt"

BRAND = """\
brand: northwind
label: Northwind
currencies: [EUR, USD]
palette:
  white: "#FFFFFF"
  ink: {hex: "#1B1F3B", label: {en: Ink, fr: Encre}}
  gold: "#C9A227"
  coral: "#FF6F61"
"""


@dataclass
class Case:
    title: str
    files: dict[str, str] = field(default_factory=dict)
    expect: str = ""


def read_cases(text: str) -> list[Case]:
    cases: list[Case] = []
    block: list[str] | None = None
    name = ""

    def close() -> None:
        if block is None or not cases:
            return
        content = "\n".join(block).strip("\n") + "\n"
        if name == "expect":
            cases[-1].expect = content.rstrip("\n")
        else:
            cases[-1].files[name] = content

    for line in text.splitlines():
        if line.startswith("=== "):
            close()
            block = None
            cases.append(Case(line[4:].strip()))
        elif line.startswith("--- "):
            close()
            name = line[4:].strip()
            block = []
        elif block is not None:
            block.append(line)
    close()
    return cases


CASES = read_cases(GOLDEN.read_text(encoding="utf-8"))


def render(error: CatalogError, folder: Path) -> str:
    return "\n".join(str(d).replace(f"{folder}/", "") for d in error.diagnostics)


def test_the_golden_file_has_cases() -> None:
    assert len(CASES) > 40
    assert len({case.title for case in CASES}) == len(CASES), "titles must be unique"


@pytest.mark.parametrize("case", CASES, ids=[case.title for case in CASES])
def test_catalog_errors(case: Case, tmp_path: Path) -> None:
    # Given a catalog with mistakes
    files = {"brand.yaml": BRAND, **case.files}
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    # When it is loaded, then every mistake is reported at once, where it was written, with a hint
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert render(caught.value, tmp_path) == case.expect
    assert all(d.hint for d in caught.value.diagnostics)
    assert all(
        d.source is not None and d.source.line >= 1 and d.source.column >= 1 for d in caught.value.diagnostics
    )
