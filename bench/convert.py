"""Convert benchmark models into Atelier catalog folders.

python -m bench.convert xcsp   renault-br4cp/medium_domainsorted.xml  OUTDIR
python -m bench.convert clib   renault-clib-megane/renault_rules_111of113.tar.xz  OUTDIR [--domains FILE]
python -m bench.convert dimacs feature-models/printer__Mendonca2009.dimacs  OUTDIR
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.catalog import write_cnf_catalog, write_table_catalog
from bench.clib import read_clib
from bench.dimacs import read_dimacs, split_long_clauses
from bench.xcsp import read_xcsp


def convert_xcsp(source: str | Path, outdir: str | Path, product: str | None = None) -> Path:
    """An XCSP 2.1 table CSP (.xml or .xml.gz) -> a catalog folder; returns the product file."""
    csp = read_xcsp(source)
    return write_table_catalog(csp, outdir, product=product, source=Path(source).name)


def convert_clib(
    source: str | Path, outdir: str | Path, domains: str | Path | None = None, product: str | None = None
) -> Path:
    """The CLib Renault rules (.tar.xz or folder of .pm) -> a catalog folder; returns the product file."""
    source = Path(source)
    domains = Path(domains) if domains else source.parent / "renault_domains.txt"
    csp = read_clib(source, domains)
    return write_table_catalog(csp, outdir, product=product or "renault-megane", source=source.name)


def convert_dimacs(
    source: str | Path, outdir: str | Path, product: str | None = None, max_clause: int | None = None
) -> Path:
    """A DIMACS CNF feature model -> a catalog folder; returns the product file.

    `max_clause`: split longer clauses with auxiliary boolean attributes (same count; see
    `bench.dimacs.split_long_clauses`), for engines that enumerate each rule's combinations.
    """
    cnf = read_dimacs(source)
    if max_clause is not None:
        cnf = split_long_clauses(cnf, max_clause)
    return write_cnf_catalog(cnf, outdir, product=product, source=Path(source).name)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.convert", description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=["xcsp", "clib", "dimacs"])
    parser.add_argument("input", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--product", help="product key (default: from the input's name)")
    parser.add_argument("--domains", type=Path, help="clib: the domains file (default: beside the input)")
    parser.add_argument(
        "--max-clause", type=int, help="dimacs: split longer clauses with auxiliary attributes (same count)"
    )
    args = parser.parse_args(argv)
    if args.format == "xcsp":
        path = convert_xcsp(args.input, args.outdir, args.product)
    elif args.format == "clib":
        path = convert_clib(args.input, args.outdir, args.domains, args.product)
    else:
        path = convert_dimacs(args.input, args.outdir, args.product, args.max_clause)
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
