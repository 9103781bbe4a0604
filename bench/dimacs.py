"""Read DIMACS CNF feature models, keeping the `c <id> <feature name>` lines as names."""

from __future__ import annotations

from pathlib import Path

from bench.csp import Cnf


def read_dimacs(path: str | Path, name: str | None = None) -> Cnf:
    """Parse a DIMACS CNF file; clauses may span lines, each ends with 0."""
    path = Path(path)
    num_vars = -1
    names: dict[int, str] = {}
    clauses: list[tuple[int, ...]] = []
    current: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if stripped.startswith("c"):
            parts = stripped.split(maxsplit=2)
            if len(parts) == 3 and parts[0] == "c" and parts[1].lstrip("-").isdigit():
                names[int(parts[1])] = parts[2].strip()
            continue
        if stripped.startswith("p"):
            _, fmt, v, _c = stripped.split()
            if fmt != "cnf":
                raise ValueError(f"{path}: not a cnf file")
            num_vars = int(v)
            continue
        for token in stripped.split():
            lit = int(token)
            if lit == 0:
                clauses.append(tuple(current))
                current = []
            else:
                current.append(lit)
    if current:
        clauses.append(tuple(current))
    if num_vars < 0:
        raise ValueError(f"{path}: no 'p cnf' line")
    if any(abs(lit) > num_vars for clause in clauses for lit in clause):
        raise ValueError(f"{path}: a literal exceeds the declared {num_vars} variables")
    stem = name or path.name.split(".")[0]
    return Cnf(stem, stem.replace("__", " ").replace("_", " "), num_vars, clauses, names)


def split_long_clauses(cnf: Cnf, max_length: int) -> Cnf:
    """An equivalent formula whose clauses have at most `max_length` literals, with the same count.

    A long clause l1 or ... or ln becomes l1 or ... or lk or a1, with a fresh variable a1 defined by
    a1 <-> (the remaining literals), itself split the same way. Each auxiliary variable is a function
    of the original ones, so every model of the original formula extends to exactly one model.
    The engine compiles long clauses directly; this stays for `bench.convert --max-clause` and for
    engines that enumerate each rule's combinations.
    """
    if max_length < 3:
        raise ValueError("max_length must be at least 3")
    clauses: list[tuple[int, ...]] = []
    names = dict(cnf.names)
    top = cnf.num_vars
    for number, clause in enumerate(cnf.clauses, start=1):
        if len(clause) <= max_length:
            clauses.append(clause)
            continue
        head, rest = clause[: max_length - 1], clause[max_length - 1 :]
        top += 1
        aux, part = top, 1
        names[aux] = f"auxiliary: clause {number}, part {part}"
        clauses.append((*head, aux))
        while len(rest) > max_length - 1:  # aux <-> (group or following)
            group, rest = rest[: max_length - 2], rest[max_length - 2 :]
            top += 1
            following, part = top, part + 1
            names[following] = f"auxiliary: clause {number}, part {part}"
            clauses.append((-aux, *group, following))
            clauses.extend((aux, -lit) for lit in group)
            clauses.append((aux, -following))
            aux = following
        clauses.append((-aux, *rest))  # aux <-> OR(rest)
        clauses.extend((aux, -lit) for lit in rest)
    return Cnf(cnf.name, cnf.label, top, clauses, names)
