"""Read XCSP 2.1 instances with positive table constraints (the Renault BR4CP models) and sales histories."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from bench.csp import Table, TableCSP, Variable, to_key

JOKER = -1  # "optional variables have a joker value -1": the option is not fitted


def value_key(value: int) -> str:
    """Option key of an XCSP integer value: 3 -> o3, the joker -1 -> none, -5 -> om5."""
    if value == JOKER:
        return "none"
    return f"o{value}" if value >= 0 else f"om{-value}"


def variable_key(name: str) -> str:
    """Attribute key of an XCSP variable name: vK stays vK; anything else is folded to a key."""
    return to_key(name, prefix="v")


def open_text(path: str | Path) -> IO[str]:
    """Open a text file, gunzipping it when its name ends in .gz."""
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _parse_values(text: str) -> list[int]:
    values: list[int] = []
    for token in text.split():
        if ".." in token:
            low, high = token.split("..")
            values.extend(range(int(low), int(high) + 1))
        else:
            values.append(int(token))
    return values


def read_xcsp(path: str | Path, name: str | None = None) -> TableCSP:
    """Parse an XCSP 2.1 file (.xml or .xml.gz) whose constraints all reference `supports` relations."""
    with open_text(path) as f:
        root = ET.parse(f).getroot()
    presentation = root.find("presentation")
    declared = presentation.get("name") if presentation is not None else None
    instance_name = name or declared or Path(path).name.split(".")[0]

    domains = {d.get("name", ""): _parse_values(d.text or "") for d in root.iter("domain")}
    variables: list[Variable] = []
    raw_values: dict[str, dict[int | str, str]] = {}
    var_keys: dict[str, str] = {}
    for v in root.iter("variable"):
        xname = v.get("name", "")
        key = variable_key(xname)
        if key in raw_values:
            raise ValueError(f"variable {xname}: key {key} already used")
        values = domains[v.get("domain", "")]
        keys = tuple(value_key(x) for x in values)
        variables.append(Variable(key, xname, keys, tuple(str(x) for x in values)))
        raw_values[key] = dict(zip(values, keys, strict=True))
        var_keys[xname] = key

    relations: dict[str, list[tuple[int, ...]]] = {}
    for r in root.iter("relation"):
        semantics = r.get("semantics", "supports")
        if semantics != "supports":
            raise ValueError(f"relation {r.get('name')}: only 'supports' tables are read, not {semantics}")
        arity = int(r.get("arity", "0"))
        rows = []
        for chunk in (r.text or "").split("|"):
            if chunk.strip():
                row = tuple(int(x) for x in chunk.split())
                if len(row) != arity:
                    raise ValueError(f"relation {r.get('name')}: tuple {row} has not {arity} values")
                rows.append(row)
        relations[r.get("name", "")] = rows

    tables: list[Table] = []
    for c in root.iter("constraint"):
        if c.get("reference") not in relations:
            raise ValueError(f"constraint {c.get('name')}: only table constraints are read")
        scope = tuple(var_keys[x] for x in c.get("scope", "").split())
        maps = [raw_values[k] for k in scope]
        allowed = tuple(
            dict.fromkeys(
                tuple(m[x] for m, x in zip(maps, row, strict=True))
                for row in relations[c.get("reference", "")]
            )
        )
        tables.append(Table(to_key(c.get("name", f"c{len(tables) + 1}"), prefix="c"), scope, allowed))

    csp = TableCSP(instance_name, f"Renault {instance_name} (XCSP)", variables, tables, raw_values)
    csp.check()
    return csp


def read_sales(path: str | Path) -> tuple[list[str], Iterator[list[int]]]:
    """A sales history: the recorded variables' keys, and an iterator over rows of raw integer values."""
    f = open_text(path)
    header = [variable_key(name) for name in f.readline().split()]

    def rows() -> Iterator[list[int]]:
        with f:
            for line in f:
                if line.strip():
                    yield [int(x) for x in line.split()]

    return header, rows()


def sales_picks(csp: TableCSP, header: list[str], row: list[int]) -> dict[str, str]:
    """One sales row as picks: attribute key -> option key."""
    return {key: csp.raw_values[key][value] for key, value in zip(header, row, strict=True)}
