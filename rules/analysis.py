"""What `atelier rules check` reports beyond syntax: facts only the compiled product can tell.

- the product has no valid design at all (and which rules clash);
- options that no valid design can have (dead options), with the rules that kill them;
- defaults that break a rule;
- rules that never exclude anything;
- price entries that can never apply (on dead options, or conditions no valid design meets);
- price formulas that divide by zero for some valid design (the line is then left off);
- the number of possible designs;
- the files behind the preview views, and text zones too small for the longest text
  (`rules.preview.check`).

`check_catalog` runs all of them on every product of a loaded catalog: it is what `atelier rules check`
reports and what publishing refuses on, whether from a folder or through the admin API.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rules.engine.finite import BUILT_IN_RULE_PREFIXES, RuleTooWideError, expression_table, predicate_table
from rules.errors import Diagnostic, EvaluationError
from rules.expr import Expr
from rules.language.defaults import invalid_default_diagnostics
from rules.language.tables import cell_text
from rules.model import AttributeKind
from rules.preview import assets as a
from rules.preview.check import check_views
from rules.preview.renderer import content_hash
from rules.product import Catalog, Product
from rules.results import RuleRef

MAX_PRICE_CONDITION_ROWS = 2_000
# Analyses by content (sources and asset digests) and place: a catalog published again unchanged, as
# the embedded demo is at every start, is not analysed again in the same process.
ANALYSED = a.LRU(256)


@dataclass(frozen=True)
class CatalogCheck:
    """What `atelier rules check` says of a catalog that loads: the loader's warnings, then each
    product's analyses (errors, warnings and its design count)."""

    catalog: Catalog
    analyses: Mapping[str, tuple[Diagnostic, ...]]

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every diagnostic, the loader's first, then product by product."""
        found = list(self.catalog.warnings)
        for diagnostics in self.analyses.values():
            found.extend(diagnostics)
        return tuple(found)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The errors: a catalog with any is not published."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The warnings (what is worth a look but publishes)."""
        return tuple(d for d in self.diagnostics if d.severity == "warning")


def check_catalog(
    catalog: Catalog,
    assets: Mapping[str, a.AssetSource] | None = None,
    products: Iterable[str] | None = None,
) -> CatalogCheck:
    """Analyse the products of a loaded catalog (every one, or those named), each drawing its views
    from `assets[key]` when given (else from its catalog folder)."""
    keys = list(catalog.products) if products is None else [k for k in products if k in catalog.products]
    sources = assets or {}
    return CatalogCheck(
        catalog, {key: tuple(analyse(catalog.products[key], sources.get(key))) for key in keys}
    )


def analyse(product: Product, assets: a.AssetSource | None = None) -> list[Diagnostic]:
    """Errors and warnings about a compiled product, then one info line with its design count; views
    are checked against `assets` (default: the product's catalog folder)."""
    model = product.model
    try:
        key: object = (
            content_hash(product, assets),
            model.source.file if model.source is not None else None,
            model.brand.source.file if model.brand.source is not None else None,
        )
    except a.AssetError:
        key = None  # no folder to read the views from: check_views says nothing, nothing to remember
    found = ANALYSED.get(key) if key is not None else None
    if isinstance(found, tuple):
        return list(found)
    result = _analyse(product, assets)
    if key is not None:
        ANALYSED.put(key, tuple(result))
    return result


def _analyse(product: Product, assets: a.AssetSource | None) -> list[Diagnostic]:
    model = product.model
    where = model.source
    found: list[Diagnostic] = []
    total = product.count()
    if total == 0:
        conflict = product.clashing_rules()
        names = ", ".join(f"“{rule.id}”" for rule in conflict) or "its rules"
        found.append(
            Diagnostic(
                "error",
                "no-valid-design",
                f"product {model.key!r} has no valid design: {names} cannot all hold",
                conflict[0].source if conflict else where,
                "relax or remove one of these rules",
            )
        )
        return found
    defaults = product.defaults()
    violations = product.validate(defaults)
    found.extend(invalid_default_diagnostics(model, defaults, violations, product.complete({})))
    domains = product.domains({})
    dead: set[tuple[str, object]] = set()
    for attribute in model.attributes:
        state = domains.attributes[attribute.key]
        for option in state.options:
            if option.available:
                continue
            dead.add((attribute.key, option.key))
            rules = ", ".join(f"“{r.id}”" for r in (option.reason.rules if option.reason else ()))
            because = f" (ruled out by {rules})" if rules else ""
            declared = attribute.option(str(option.key))
            source = declared.source if declared is not None else None
            found.append(
                Diagnostic(
                    "warning",
                    "dead-option",
                    f"option {option.key!r} of {attribute.key!r} can never be chosen{because}",
                    source or attribute.source,
                    "remove the option, or relax the rules that exclude it",
                )
            )
        if attribute.kind is AttributeKind.TEXT and state.text and attribute.text:
            if state.text.max_length < attribute.text.max_length:
                found.append(
                    Diagnostic(
                        "warning",
                        "text-limit-unreachable",
                        f"{attribute.key!r} can never be longer than {state.text.max_length} graphemes "
                        f"although max_length is {attribute.text.max_length}",
                        attribute.source,
                        f"set `max_length: {state.text.max_length}`",
                    )
                )
    for table in product.finite.tables:
        built_in = table.rule.id.startswith(BUILT_IN_RULE_PREFIXES)
        # Brand rules are inherited by every product; on many they have nothing to exclude.
        if table.trivial and not built_in and table.rule.origin != "brand":
            found.append(
                Diagnostic(
                    "warning",
                    "rule-never-fires",
                    f"rule {table.rule.id!r} never excludes anything",
                    table.rule.source or where,
                    "check its attribute and option names, or remove it",
                )
            )
    found.extend(_unused_prices(product, dead))
    found.extend(_formulas_without_value(product))
    found.extend(_price_table_gaps(product))
    found.extend(check_views(product, assets))
    found.append(Diagnostic("info", "design-count", f"{model.key}: {total:,} possible designs", where, None))
    return found


def _unused_prices(product: Product, dead: set[tuple[str, object]]) -> list[Diagnostic]:
    found = []
    model = product.model
    for attribute in model.attributes:
        for option in attribute.options:
            if option.price and (attribute.key, option.key) in dead:
                found.append(
                    Diagnostic(
                        "warning",
                        "unused-price",
                        f"the price of {attribute.key}={option.key} never applies: no valid design has it",
                        option.source or attribute.source,
                        "remove the price or the rule that excludes the option",
                    )
                )
    finite = product.finite

    for index, rule in enumerate(model.price_rules):
        if rule.when is None:
            continue
        when = rule.when
        ref = RuleRef(f"price#{index + 1}", rule.label, "product", rule.source)
        try:
            table = expression_table(model, finite, ref, when)
        except (RuleTooWideError, EvaluationError):
            continue  # a condition too wide to enumerate is simply not analysed
        if len(table.rows) > MAX_PRICE_CONDITION_ROWS:
            continue
        reachable = False
        for row in table.rows:
            if product.reachable(dict(zip(table.scope, row, strict=True))):
                reachable = True
                break
        if not reachable:
            found.append(
                Diagnostic(
                    "warning",
                    "unused-price",
                    f"price line “{rule.label.get()}” never applies: no valid design meets `{when}`",
                    rule.source or model.source,
                    "fix its `when:` or remove it",
                )
            )
    return found


def _price_table_gaps(product: Product) -> list[Diagnostic]:
    """A price table without a row for a combination some valid design has: such designs get no line
    from it, which the merchant rarely means (a platinum ring sold at the silver price). Tables
    behind a `when:` are left to the merchant; so are tables of more combinations than are checked."""
    found = []
    finite = product.finite
    for rule in product.model.price_rules:
        table = rule.table
        if table is None or rule.when is not None:
            continue
        variables = [finite.by_attribute[key][0] for key in table.attributes]
        domains = [finite.variables[v].values for v in variables]
        if math.prod(len(values) for values in domains) > MAX_PRICE_CONDITION_ROWS:
            continue
        missing = [
            combination
            for combination in itertools.product(*(range(len(values)) for values in domains))
            if tuple(domains[i][index] for i, index in enumerate(combination)) not in table.rows
            and product.reachable(dict(zip(variables, combination, strict=True)))
        ]
        if not missing:
            continue
        examples = [
            ", ".join(
                f"{key}={cell_text(domains[i][index])}"
                for i, (key, index) in enumerate(zip(table.attributes, row, strict=True))
            )
            for row in missing[:3]
        ]
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        found.append(
            Diagnostic(
                "warning",
                "price-table-gap",
                f"{table.file} has no row for {'; '.join(examples)}{more}: such designs get no "
                f"“{rule.label.get()}” line",
                rule.source or product.model.source,
                "add the rows (an amount of 0 where the combination costs nothing extra), or a rule "
                "that forbids the combination",
            )
        )
    return found


def _formulas_without_value(product: Product) -> list[Diagnostic]:
    """A formula that divides by zero for some valid design where its numbers all apply: the line is
    then left off the quote, which the merchant rarely means (docs/prices.md, Formulas)."""
    found = []
    model = product.model
    finite = product.finite
    for index, rule in enumerate(model.price_rules):
        if rule.formula is None:
            continue
        when = rule.when
        for currency, formula in rule.formula.items():
            reads = formula.references()
            scope = reads | (when.references() if when is not None else frozenset())
            ref = RuleRef(f"price#{index + 1}", rule.label, "product", rule.source)
            try:
                table = predicate_table(model, finite, ref, scope, _divides_by_zero(formula, when))
            except RuleTooWideError:
                continue  # too wide to enumerate: not analysed
            example = next(
                (
                    row
                    for row in table.rows[:MAX_PRICE_CONDITION_ROWS]
                    if product.reachable(dict(zip(table.scope, row, strict=True)))
                ),
                None,
            )
            if example is None:
                continue
            rows = set(table.rows)
            # Name only the values that matter: those whose change gives the formula a value.
            values = ", ".join(
                f"{finite.variables[v].name} = {finite.variables[v].values[i]}"
                for column, (v, i) in enumerate(zip(table.scope, example, strict=True))
                if finite.variables[v].attribute in reads
                and any(
                    (*example[:column], other, *example[column + 1 :]) not in rows
                    for other in range(len(finite.variables[v].values))
                )
            )
            found.append(
                Diagnostic(
                    "warning",
                    "formula-without-value",
                    f"price line “{rule.label.get()}”: its {currency} formula `{formula}` divides by zero "
                    f"for some designs ({values}), and the line is then left off",
                    rule.source or model.source,
                    "add a `when:` that leaves these designs out, or change the formula",
                )
            )
            break  # one warning per price line
    return found


def _divides_by_zero(formula: Expr, when: Expr | None) -> Callable[[Mapping[str, object]], bool]:
    """Whether a design meets the condition, has every number the formula reads, and the formula has
    no value all the same: only a division by zero does that."""
    reads = formula.references()

    def holds(env: Mapping[str, object]) -> bool:
        if when is not None and _evaluate(when, env) is not True:
            return False
        if any(env.get(key) is None for key in reads):
            return False  # a number that does not apply: the line is meant to be left off
        return _evaluate(formula, env) is None

    return holds


def _evaluate(expr: Expr, env: Mapping[str, object]) -> object:
    try:
        return expr.evaluate(env)
    except EvaluationError:
        return None
