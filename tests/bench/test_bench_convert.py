"""The converters write catalog folders the language loader accepts, with the models' exact content."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bench import data
from bench.catalog import clause_expression, product_key
from bench.clib import parse_rule, read_clib
from bench.convert import convert_clib, convert_dimacs, convert_xcsp, main
from bench.csp import KEY_RE, Cnf, to_key, unique_keys
from bench.dimacs import read_dimacs, split_long_clauses
from bench.xcsp import read_xcsp, value_key
from rules import expr, language
from tests.bench.benchdata import require

SMALL = data.renault_model("small")
BERKELEYDB = data.feature_model("berkeleydb__Hierons2020")


def read_yaml(path: Path) -> dict[str, object]:
    loaded = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_keys_follow_the_language_key_rule() -> None:
    for text in ["B64", "Autre613", "4x4", "-", "ON", "and", "Var 5", "é"]:
        assert KEY_RE.fullmatch(to_key(text)), text
    assert unique_keys(["A-B", "a_b", "A B"]) == ["a_b", "a_b_2", "a_b_3"]
    assert [value_key(v) for v in (0, 12, -1, -3)] == ["o0", "o12", "none", "om3"]
    assert product_key("pc-richmond__Sprey2020") == "pc-richmond-sprey2020"


def test_xcsp_small_becomes_a_catalog_with_one_csv_per_table(tmp_path: Path) -> None:
    # given the Renault small instance, when converted
    product_file = convert_xcsp(require(SMALL), tmp_path)
    csp = read_xcsp(SMALL)

    # then the brand is minimal and the product lists every variable as a choice with a default
    assert read_yaml(tmp_path / "brand.yaml") == {
        "brand": "bench",
        "label": "Benchmark models",
        "currencies": ["EUR"],
        "palette": {},
    }
    product = read_yaml(product_file)
    assert product["price"] == {"EUR": "0.00"}
    attributes = product["attributes"]
    assert isinstance(attributes, dict)
    assert list(attributes) == [v.key for v in csp.variables]
    assert len(attributes) == 139
    assert all(a["type"] == "choice" and a["default"] in a["options"] for a in attributes.values())
    constraints = product["constraints"]
    assert isinstance(constraints, list)
    assert len(constraints) == 147
    # and each table's CSV holds exactly its allowed rows, header = attribute keys
    total = 0
    for n, (constraint, table) in enumerate(zip(constraints, csp.tables, strict=True), start=1):
        assert constraint["table"] == {"file": f"c{n}.csv", "mode": "allowed"}
        with (tmp_path / f"c{n}.csv").open(encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert tuple(rows[0]) == table.scope
        assert {tuple(r) for r in rows[1:]} == set(table.rows)
        total += len(rows) - 1
    assert total == 3044
    # and the defaults form a valid design
    defaults = {k: a["default"] for k, a in attributes.items()}
    assert all(tuple(defaults[k] for k in t.scope) in set(t.rows) for t in csp.tables)


def test_the_loader_accepts_the_converted_small_instance(tmp_path: Path) -> None:
    convert_xcsp(require(SMALL), tmp_path)
    brand, products, warnings = language.load_catalog(tmp_path)
    model = products["renault-small"]
    assert warnings == []
    assert len(model.attributes) == 139
    assert len(model.tables) == 147
    assert all(t.allowed for t in model.tables)
    assert sum(len(t.rows) for t in model.tables) == 3044
    assert model.attribute("v20").options[-1].key == "none"  # the joker -1


def test_dimacs_becomes_booleans_and_one_rule_per_clause(tmp_path: Path) -> None:
    product_file = convert_dimacs(require(BERKELEYDB), tmp_path)
    cnf = read_dimacs(BERKELEYDB)
    product = read_yaml(product_file)
    attributes = product["attributes"]
    assert isinstance(attributes, dict)
    assert len(attributes) == 117
    assert attributes["v2"]["label"] == "Logging"
    assert all(a["type"] == "boolean" for a in attributes.values())
    rules = [c["rule"] for c in product["constraints"]]
    assert rules == [clause_expression(cnf, c) for c in cnf.clauses]
    # the defaults satisfy every clause
    defaults = {k: a["default"] for k, a in attributes.items()}
    assert all(any(defaults[f"v{abs(lit)}"] == (lit > 0) for lit in c) for c in cnf.clauses)

    _, products, _ = language.load_catalog(tmp_path)
    assert len(products["berkeleydb-hierons2020"].constraints) == 417


def test_long_clauses_are_written_flat_and_load(tmp_path: Path) -> None:
    # a flat 250-literal `or` is one node for the parser, however long the chain
    clause = tuple(v if v % 3 else -v for v in range(1, 251))
    cnf = Cnf("long", "Long clause", 250, [clause, (1, -2)], {1: "First feature"})
    text = clause_expression(cnf, clause)
    assert text.startswith("v1 or v2 or not v3")
    assert clause_expression(cnf, ()) == "false"
    parsed = expr.parse(text)
    env = {f"v{v}": False for v in range(1, 251)}
    assert parsed.evaluate(env) is True  # `not v3` holds
    env.update({f"v{v}": v % 3 == 0 for v in range(1, 251)})
    assert parsed.evaluate(env) is False

    dimacs = tmp_path / "long.dimacs"
    dimacs.write_text("c 1 First feature\np cnf 250 2\n" + " ".join(map(str, clause)) + " 0\n1 -2 0\n")
    assert main(["dimacs", str(dimacs), str(tmp_path / "out")]) == 0
    _, products, _ = language.load_catalog(tmp_path / "out")
    assert products["long"].attribute("v1").label.get() == "First feature"


def test_clib_rules_with_grouping_lines(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "renault_rule001.pm").write_text(
        "or(\nVar1 = S64  and Var2 = E1\nor(\nVar1 = S64  and Var2 = E2\nor)\n"
        "Var1 = B64  and Var2 = E1\nor)\n"
    )
    (rules / "renault_rule002.pm").write_text("or(\nVar2 = E1  and Var3 = Autre 1\nor)\n")
    domains = tmp_path / "renault_domains.txt"
    domains.write_text("Var1: S64 B64\nVar2: E1 E2\nVar3: Autre\n")
    assert parse_rule("r", (rules / "renault_rule001.pm").read_text())[1] == [
        ("S64", "E1"),
        ("S64", "E2"),
        ("B64", "E1"),
    ]
    with pytest.raises(ValueError, match="outside its domain"):
        read_clib(rules, domains)

    (rules / "renault_rule002.pm").write_text("or(\nVar2 = E1  and Var3 = Autre\nor)\n")
    csp = read_clib(rules, domains)
    assert [t.rows for t in csp.tables] == [
        (("s64", "e1"), ("s64", "e2"), ("b64", "e1")),
        (("e1", "autre"),),
    ]
    product_file = convert_clib(rules, tmp_path / "out", domains)
    product = read_yaml(product_file)
    assert product["attributes"]["var1"]["options"]["b64"] == {"label": "B64"}
    assert product["attributes"]["var2"]["default"] == "e1"  # the only value rule 2 allows
    _, products, _ = language.load_catalog(tmp_path / "out")
    assert products["renault-megane"].attribute("var1").option("s64").label.get() == "S64"


def test_clib_archive_reads_the_111_rules() -> None:
    archive = require(data.clib_rules())
    csp = read_clib(archive, archive.parent / "renault_domains.txt")
    assert len(csp.variables) == 99
    assert len(csp.tables) == 111
    assert sum(len(t.rows) for t in csp.tables) == 112_680
    assert max(len(t.scope) for t in csp.tables) == 10
    assert all(KEY_RE.fullmatch(v) for var in csp.variables for v in var.values)


@pytest.mark.parametrize("length", [3, 4, 7])
def test_splitting_long_clauses_keeps_the_count(length: int) -> None:
    # given a formula with clauses longer than `length`
    cnf = Cnf("f", "F", 9, [tuple(range(1, 10)), (-1, -2, -3, -4, -5, 6, 7, 8), (1, -9)], {1: "One"})
    split = split_long_clauses(cnf, length)
    # then every clause is short and the models project one-to-one onto the original's
    assert max(len(c) for c in split.clauses) <= length
    assert split.names[1] == "One"
    assert split.names[10].startswith("auxiliary: clause 1")

    def models(f: Cnf) -> list[tuple[bool, ...]]:
        return [
            bits
            for bits in itertools.product([False, True], repeat=f.num_vars)
            if all(any(bits[abs(lit) - 1] == (lit > 0) for lit in c) for c in f.clauses)
        ]

    original = models(cnf)
    projected = [m[:9] for m in models(split)]
    assert sorted(projected) == sorted(original)  # same models, each extended exactly once
