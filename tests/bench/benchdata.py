"""The benchmark data lives in ../shared beside the repository; CI always has it there.

A missing file is a broken checkout, not a reason to skip: the tests that need it fail and say where
the data was looked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import data


def require(path: Path) -> Path:
    """`path`, or a failed test that says which benchmark file is missing and where it was looked for."""
    if not path.exists():
        pytest.fail(
            f"benchmark data missing: {path} not found. The instances live in "
            f"{data.data_dir()} (../shared/benchmarks/configuration beside the repository, or "
            "BENCH_DATA); put the shared folder back beside the repository.",
            pytrace=False,
        )
    return path
