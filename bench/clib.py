"""Read the CLib Renault (Megane) model: `.pm` DNF tables (a .tar.xz or a folder) and a domains file."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path

from bench.csp import Table, TableCSP, Variable, to_key, unique_keys


def read_domains(path: str | Path) -> dict[str, list[str]]:
    """`VarN: v1 v2 ...` lines -> {"VarN": [values]} in file order."""
    domains: dict[str, list[str]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, _, values = line.partition(":")
            domains[name.strip()] = values.split()
    return domains


def _rule_texts(source: Path) -> Iterator[tuple[str, str]]:
    """(rule name, text) of every .pm file, sorted by name, from a tar archive or a folder."""
    if source.is_dir():
        for path in sorted(source.rglob("*.pm")):
            yield path.stem, path.read_text(encoding="utf-8")
        return
    with tarfile.open(source) as archive:
        members = sorted(
            (m for m in archive.getmembers() if m.isfile() and m.name.endswith(".pm")), key=lambda m: m.name
        )
        for member in members:
            f = archive.extractfile(member)
            assert f is not None
            yield Path(member.name).stem, f.read().decode("utf-8")


def parse_rule(name: str, text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """One `.pm` rule: its variables (file order) and its allowed tuples; `or(`/`or)` lines only group."""
    scope: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line in ("or(", "or)"):
            continue
        pairs = [part.split("=") for part in line.split(" and ")]
        if any(len(p) != 2 for p in pairs):
            raise ValueError(f"{name}: cannot read {line!r}")
        names = tuple(p[0].strip() for p in pairs)
        if scope is None:
            scope = names
        elif names != scope:
            raise ValueError(f"{name}: line over {names}, expected {scope}")
        rows.append(tuple(p[1].strip() for p in pairs))
    if scope is None:
        raise ValueError(f"{name}: no tuple")
    return scope, rows


def read_clib(rules: str | Path, domains_path: str | Path, name: str = "megane") -> TableCSP:
    """The CLib model as a TableCSP; symbolic values become keys (lower case, other characters -> _)."""
    domains = read_domains(domains_path)
    variables: list[Variable] = []
    raw_values: dict[str, dict[int | str, str]] = {}
    var_keys = dict(zip(domains, unique_keys(domains, prefix="var"), strict=True))
    for var, values in domains.items():
        option_keys = unique_keys(values, prefix="o")
        variables.append(Variable(var_keys[var], var, tuple(option_keys), tuple(values)))
        raw_values[var_keys[var]] = dict(zip(values, option_keys, strict=True))

    tables: list[Table] = []
    for rule_name, text in _rule_texts(Path(rules)):
        names, rows = parse_rule(rule_name, text)
        unknown = [v for v in names if v not in domains]
        if unknown:
            raise ValueError(f"{rule_name}: unknown variables {unknown}")
        keys = tuple(var_keys[v] for v in names)
        maps = [raw_values[k] for k in keys]
        try:
            converted = tuple(
                dict.fromkeys(tuple(m[x] for m, x in zip(maps, row, strict=True)) for row in rows)
            )
        except KeyError as e:
            raise ValueError(f"{rule_name}: value {e} outside its domain") from None
        tables.append(Table(to_key(rule_name, prefix="r"), keys, converted))

    csp = TableCSP(name, "Renault Megane (CLib)", variables, tables, raw_values)
    csp.check()
    return csp
