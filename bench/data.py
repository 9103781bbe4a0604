"""Where the benchmark instances live: `shared/benchmarks/configuration` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The instances folder; BENCH_DATA overrides the default next to the repository."""
    override = os.environ.get("BENCH_DATA")
    return Path(override) if override else REPO.parent / "shared" / "benchmarks" / "configuration"


def renault_model(instance: str) -> Path:
    """The XCSP file of a Renault instance: small, medium or big."""
    folder = data_dir() / "renault-br4cp"
    names = {"small": "small.xml", "medium": "medium_domainsorted.xml", "big": "big_domainsorted.xml.gz"}
    return folder / names[instance]


def renault_sales(instance: str) -> Path:
    """The sales history of a Renault instance (medium or big)."""
    return data_dir() / "renault-br4cp" / f"config_{instance}_filtered.txt.gz"


def feature_model(stem: str) -> Path:
    """A DIMACS feature model by its file stem, e.g. printer__Mendonca2009."""
    return data_dir() / "feature-models" / f"{stem}.dimacs"


def clib_rules() -> Path:
    """The CLib Renault Megane rules archive; renault_domains.txt lies beside it."""
    return data_dir() / "renault-clib-megane" / "renault_rules_111of113.tar.xz"
