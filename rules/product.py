"""The facade: a compiled product and the questions a storefront asks of it.

>>> from pathlib import Path
>>> catalog = load_catalog(Path(__file__).parent.parent / "catalog")
>>> mug = catalog.products["engraved-mug"]
>>> mug.validate(mug.defaults())
[]
>>> mug.count() > 0
True
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
from cachetools import LRUCache

from rules.engine.build import (
    MAX_NODES,
    CompileTimeoutError,
    Deadline,
    DiagramTooLargeError,
    compile_problem,
)
from rules.engine.diagram import INF, Diagram, IntArray, Sweep
from rules.engine.explain import CheapestPaths, Explainer, Explaining
from rules.engine.finite import FiniteModel, FiniteValue, lower
from rules.engine.layout import LENGTH_KINDS, AttributeSlots, Layout
from rules.errors import CatalogError, Code, Diagnostic, RulesError
from rules.i18n import LANGUAGES, RULES, spoken
from rules.language import load_brand
from rules.language import load_catalog as load_catalog_models
from rules.language import load_product as load_product_model
from rules.model import (
    Attribute,
    AttributeKind,
    Brand,
    Constraint,
    Localized,
    NumberValue,
    ProductModel,
    Recommendation,
    Value,
    ValueRule,
    image_pick,
    number_value,
)
from rules.pricing import quote
from rules.results import (
    AttributeState,
    Change,
    Domains,
    OptionState,
    Quote,
    Reason,
    Repair,
    RuleRef,
    TextState,
    Violation,
)
from rules.text import MAX_CODE_POINTS_PER_GRAPHEME, TextProblemCode, check_text, grapheme_length


@dataclass
class Compiled:
    finite: FiniteModel
    diagram: Diagram
    explainer: Explainer


# What completing a design costs, in order of importance (see `Product.complete`): changing a default
# costs CHANGE plus the value's rank by nearness to the default, so the fewest defaults change first and
# each lands on its nearest valid value; texts and uploads cannot be invented (INVENT); a shopper's pick
# outweighs everything else. Ranks stay below CHANGE and every sum below the diagram's INF.
RANK_LIMIT = (1 << 20) - 1
CHANGE = 1 << 20
INVENT = 1 << 38
PICK = 1 << 46
# A repair counts attributes: a multi's options share one attribute's weight (see `Product.repairs`).
REPAIR_UNIT = 720

# Compiled products kept in a process, the least recently used dropped first; a dropped one is compiled
# again when asked for (an old version a cart was priced on, say).
COMPILED_KEPT = 64
_cache: LRUCache[str, Compiled] = LRUCache(maxsize=COMPILED_KEPT)
_cache_lock = threading.Lock()  # cachetools' caches are not thread-safe


def compile_model(
    model: ProductModel, max_nodes: int = MAX_NODES, deadline: Deadline | None = None
) -> Compiled:
    """Compile a product once per source: the result is cached by the hash of its sources. A product
    whose diagram needs more than `max_nodes` nodes, or whose compile outlasts `deadline`
    (`COMPILE_SECONDS` from now when none is given), is a `CatalogError` located at the product."""
    key = model.source_hash or repr(model)
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    deadline = deadline or Deadline()
    try:
        finite = lower(model, deadline)
        sizes = [len(v.values) for v in finite.variables]
        builder, root, order = compile_problem(
            sizes, [(t.scope, t.rows) for t in finite.tables], max_nodes, deadline
        )
    except DiagramTooLargeError as error:
        raise _too_large(
            model,
            f"product {model.key!r} needs more than {error.limit:,} decision nodes to compile: "
            "its attributes and rules allow too many combinations to answer shoppers quickly",
        ) from None
    except CompileTimeoutError as error:
        raise _too_large(
            model,
            f"product {model.key!r} takes longer than {error.seconds:g} s to compile: its attributes "
            "and rules allow too many combinations to answer shoppers quickly",
        ) from None
    compiled = Compiled(finite, Diagram(builder, root, order), Explainer(finite))
    with _cache_lock:
        return _cache.setdefault(key, compiled)


def _too_large(model: ProductModel, message: str) -> CatalogError:
    return CatalogError(
        [
            Diagnostic(
                "error",
                Code.PRODUCT_TOO_LARGE,
                message,
                model.source,
                "split it into products, use coarser number steps, or write the rules over fewer "
                "attributes at once",
            )
        ]
    )


class Product:
    """A product ready for shoppers' questions; immutable and safe to share between threads."""

    def __init__(self, model: ProductModel) -> None:
        self.model = model
        self.key = model.key
        self._compiled = compile_model(model)
        self._finite = self._compiled.finite
        self._diagram = self._compiled.diagram
        self._layout = Layout(model, self._finite, self._diagram)
        self._answers = [
            _Answers(self._layout.attributes[a.key], a.when is not None) for a in model.attributes
        ]
        self._preferences = self._default_preferences()
        self._preference_groups = self._diagram.soft_group_costs(self._preferences)
        self._attribute_by_key = {a.key: a for a in model.attributes}
        # `validate` runs on every configure step: what each constraint reads is worked out once.
        self._constraint_reads: list[tuple[Constraint, frozenset[str], tuple[str, ...]]] = []
        for constraint in model.constraints:
            references = constraint.expr.references()
            keys = tuple(a.key for a in model.attributes if a.key in references)
            self._constraint_reads.append((constraint, references, keys))

    @property
    def footprint(self) -> int:
        """Roughly the bytes the compiled product holds (its diagram's arrays, and its model's keep)."""
        return self._diagram.nbytes + 64 * 1024

    @property
    def finite(self) -> FiniteModel:
        """The product lowered to finite variables and rule tables (read only)."""
        return self._finite

    def clashing_rules(self) -> list[RuleRef]:
        """Rules that together leave no valid design at all (empty when some design exists)."""
        if self.count() > 0:
            return []
        return [t.rule for t in self._compiled.explainer.rules({})]

    def reachable(self, assignment: Mapping[int, int]) -> bool:
        """Whether some valid design gives these finite variables (see `finite`) these value indices."""
        return self._diagram.sweep(self._layout.levels(assignment)).consistent

    # -- picks ------------------------------------------------------------------------------------

    def defaults(self) -> dict[str, Value]:
        """The merchant's default design; attributes whose condition fails are None."""
        design: dict[str, Value] = {}
        for attribute in self.model.attributes:
            default = attribute.default
            if attribute.kind is AttributeKind.MULTI and default is None:
                default = frozenset()
            if attribute.kind in (AttributeKind.TEXT, AttributeKind.IMAGE) and default is None:
                default = ""
            design[attribute.key] = default
        self._apply_conditions(design, {})
        return design

    def _apply_conditions(self, design: dict[str, Value], picks: Mapping[str, Value]) -> None:
        """Empty the attributes whose condition fails and give those whose condition holds their pick,
        or else their default, in attribute order (a condition sees the settled values before it)."""
        for attribute in self.model.attributes:
            if attribute.when is None:
                continue
            if not _holds(attribute.when, self._env(design)):
                design[attribute.key] = _empty(attribute)
            elif _is_empty(design[attribute.key]):
                fallback = picks.get(attribute.key, attribute.default)
                if fallback is not None:
                    design[attribute.key] = fallback

    def complete(self, picks: Mapping[str, Value]) -> dict[str, Value]:
        """The one design the picks stand for (docs/session.md): the shopper's picks, then the
        merchant's defaults changed as little as possible so that the design is valid.

        The fewest defaults change, each to its nearest valid value (numbers by distance, other kinds
        by the merchant's order of options, ties to the earlier); texts and uploads are never made up.
        A pick on an attribute whose condition fails is set aside (the attribute has no value); picks
        that clash, and picks no design can have (see `count`), are kept as they are and the rest is
        completed as if they were not made.
        """
        picks = {key: value for key, value in picks.items() if value is not None}
        impossible = self._impossible(picks)
        levels, soft = self._engine_picks(picks, PICK)
        soft = {**{lv: c for lv, c in self._preferences.items() if lv not in levels}, **soft}
        for key in self._texts_to_keep(picks):
            soft.update(self._text_preference(key, picks.get(key)))
        preferences = self._preferences
        unchanged = {
            lv: groups for lv, groups in self._preference_groups.items() if soft.get(lv) is preferences[lv]
        }
        sweep = self._diagram.sweep(levels, {lv: PICK for lv in levels}, soft, unchanged)
        path = self._diagram.cheapest_path(sweep, levels)
        design = self.defaults_unconditioned()
        design.update(picks)
        if path is not None:
            design.update(self._design_of(path))
        if path is None or int(sweep.forward[-1]) >= PICK or impossible:
            # The picks clash (or one no design can have was made): the path broke as few of them as
            # it could; the shopper's picks are shown as they are, and what they make apply or not is
            # settled around them.
            design.update(picks)
            self._apply_conditions(design, picks)
        return design

    def _design_of(self, path: Mapping[int, int]) -> dict[str, Value]:
        """The attribute values a complete path gives (texts: "" where the path has none, else left
        to the caller, who knows the text)."""
        finite = self._finite
        design: dict[str, Value] = {}
        for attribute in self.model.attributes:
            key = attribute.key
            variables = finite.by_attribute[key]
            values = [finite.variables[v].values[path[self._layout.level(v)]] for v in variables]
            if attribute.kind is AttributeKind.MULTI:
                design[key] = frozenset(
                    str(finite.variables[v].option) for v, on in zip(variables, values, strict=True) if on
                )
            elif attribute.kind in LENGTH_KINDS:
                if values[0] == 0:
                    design[key] = ""
            else:
                design[key] = values[0]
        return design

    def defaults_unconditioned(self) -> dict[str, Value]:
        """Every attribute's own default, whether or not its condition holds (texts "", multis [])."""
        design: dict[str, Value] = {}
        for attribute in self.model.attributes:
            default = attribute.default
            if default is None:
                default = _empty(attribute)
            design[attribute.key] = default
        return design

    def clash(self, picks: Mapping[str, Value]) -> tuple[str, ...]:
        """Every pick that `clashes` names, in attribute order; empty when the picks can all hold."""
        named = {key for group in self.clashes(picks) for key in group}
        return tuple(a.key for a in self.model.attributes if a.key in named)

    def clashes(self, picks: Mapping[str, Value]) -> tuple[tuple[str, ...], ...]:
        """The picks that cannot hold together, as smallest sets (none of a set's picks can be left
        out and the set still clash): one, and another for every further clash among the rest, until
        the rest can be completed into a valid design. Picks are dropped in the reverse of the
        attribute order, so the earliest picks are the ones named. A pick no design can have (see
        `count`) clashes on its own, and comes first; the clashes among the rest read it as
        `_engine_picks` does, so a text too long still makes apply what a text makes apply."""
        impossible = self._impossible(picks)
        keys = [a.key for a in self.model.attributes if picks.get(a.key) is not None]
        groups: list[tuple[str, ...]] = [(key,) for key in impossible]
        named: set[str] = set()
        while not self._hold({k: picks[k] for k in keys if k not in named}):
            needed = [k for k in keys if k not in named]
            for key in reversed(list(needed)):
                if not self._hold({k: picks[k] for k in needed if k != key}):
                    needed.remove(key)
            if not needed:
                break  # no design at all: nothing to blame on the picks
            groups.append(tuple(needed))
            named.update(needed)
        return tuple(groups)

    def _hold(self, picks: Mapping[str, Value]) -> bool:
        """Whether the picks can be completed into a valid design, a pick no design can have read as
        `_engine_picks` reads it."""
        levels, soft = self._engine_picks(picks, 1)
        return self._diagram.sweep(levels, None, soft).consistent

    def _impossible(self, picks: Mapping[str, Value]) -> dict[str, Violation]:
        """The picks no design can have, in attribute order, each with why: what the attribute takes
        (a number off its range or steps, an option it does not offer, a text longer than any design
        holds...). Raises UnknownAttributeError for a pick on an attribute the product lacks."""
        found: dict[str, Violation] = {}
        for key, value in picks.items():
            if value is None:
                continue
            attribute = self._attribute_by_key.get(key)
            if attribute is None:
                raise UnknownAttributeError(self.key, key, list(self._attribute_by_key))
            problem = _unplaceable(attribute, value, self.model.brand)
            if problem is not None:
                found[key] = problem
        if len(found) > 1:
            return {key: found[key] for key in self._attribute_by_key if key in found}
        return found

    def _engine_picks(
        self, picks: Mapping[str, Value], weight: int | Mapping[str, int]
    ) -> tuple[dict[int, int], dict[int, IntArray]]:
        """Picks as the diagram reads them: exact picks by level, and per-value costs (`weight`, or
        the attribute's weight, for any other value) for picks on conditional attributes, which also
        accept "does not apply". A text longer than any design holds stands for a text that is there
        (any length that fits): the shopper typed one, and what it makes apply is settled with it."""
        levels = self._levels({k: v for k, v in picks.items() if v is not None})
        soft: dict[int, IntArray] = {}
        for attribute in self.model.attributes:
            if attribute.kind is AttributeKind.TEXT:
                self._stand_in_for_long_text(attribute, picks.get(attribute.key), levels, soft, weight)
            if attribute.when is None or attribute.kind is AttributeKind.MULTI:
                continue
            variable = self._finite.by_attribute[attribute.key][0]
            level = self._layout.level(variable)
            if level not in levels:
                continue
            values = self._finite.variables[variable].values
            each = weight if isinstance(weight, int) else weight.get(attribute.key, 1)
            cost = np.full(len(values), each, dtype=np.int64)
            cost[levels.pop(level)] = 0
            cost[0] = 0  # None, or a text's length 0: the attribute does not apply
            soft[level] = cost
        return levels, soft

    def _stand_in_for_long_text(
        self,
        attribute: Attribute,
        value: Value,
        levels: Mapping[int, int],
        soft: dict[int, IntArray],
        weight: int | Mapping[str, int],
    ) -> None:
        if not isinstance(value, str) or value == "":
            return
        variable = self._finite.by_attribute[attribute.key][0]
        level = self._layout.level(variable)
        if level in levels:
            return  # a length some design has: an exact pick
        each = weight if isinstance(weight, int) else weight.get(attribute.key, 1)
        cost = np.zeros(len(self._finite.variables[variable].values), dtype=np.int64)
        if attribute.when is None:
            cost[0] = each  # a text that must be there when it applies
        soft[level] = cost

    def _texts_to_keep(self, picks: Mapping[str, Value]) -> list[str]:
        return [
            a.key for a in self.model.attributes if a.kind in LENGTH_KINDS and picks.get(a.key) is not None
        ]

    def _text_preference(self, key: str, value: Value) -> dict[int, IntArray]:
        """A picked text or upload: its own length, or empty when its attribute does not apply; no
        other length (a text cannot be made up), though one that must be cannot stop the design."""
        variable = self._finite.by_attribute[key][0]
        size = len(self._finite.variables[variable].values)
        cost = np.full(size, INVENT, dtype=np.int64)
        # A text too long for any design (a clash of its own) is completed around its longest length.
        attribute = self.model.attribute(key)
        if attribute is not None and attribute.kind is AttributeKind.IMAGE:
            length = _presence(value)
        else:
            length = min(grapheme_length(value) if isinstance(value, str) else 0, size - 1)
        cost[length] = 0
        cost[0] = min(cost[0], 1 if attribute is not None and attribute.when is not None else PICK)
        return {self._layout.level(variable): cost}

    def _default_preferences(self) -> dict[int, IntArray]:
        """Per level, what each value costs a design that has not picked it (see `complete`)."""
        finite = self._finite
        preferences: dict[int, IntArray] = {}
        for attribute in self.model.attributes:
            variables = finite.by_attribute[attribute.key]
            conditional = attribute.when is not None
            if attribute.kind is AttributeKind.MULTI:
                chosen = attribute.default if isinstance(attribute.default, frozenset) else frozenset()
                for variable in variables:
                    on = finite.variables[variable].option in chosen
                    cost = np.array([CHANGE, 0] if on else [0, CHANGE], dtype=np.int64)
                    preferences[self._layout.level(variable)] = cost
                continue
            variable = variables[0]
            values = finite.variables[variable].values
            if attribute.kind in LENGTH_KINDS:
                default = attribute.default if attribute.kind is AttributeKind.TEXT else ""
                length = grapheme_length(default) if isinstance(default, str) else 0
                length = min(length, len(values) - 1)
                cost = np.full(len(values), INVENT, dtype=np.int64)
                cost[length] = 0
                if length:
                    cost[0] = 1 if conditional else CHANGE
                preferences[self._layout.level(variable)] = cost
                continue
            preferences[self._layout.level(variable)] = _nearness(values, attribute.default)
        return preferences

    def normalize(self, raw: Mapping[str, object]) -> tuple[dict[str, Value], list[Violation]]:
        """Turn JSON-like picks into typed values; unknown attributes and bad values become violations."""
        picks: dict[str, Value] = {}
        problems: list[Violation] = []
        for key, value in raw.items():
            if value is None:
                continue  # no pick: the attribute is left to the defaults
            attribute = self.model.attribute(key)
            if attribute is None:
                known = [a.key for a in self.model.attributes]
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = RULES.localized("This product has no such choice: reload the page and try again.")
                problems.append(Violation("unknown", (key,), message, detail=f"no attribute {key!r}{hint}"))
                continue
            typed, problem = _coerce(attribute, value)
            if problem is not None:
                problems.append(Violation("invalid", (key,), problem))
            else:
                picks[key] = typed
        return picks, problems

    def _levels(self, picks: Mapping[str, Value]) -> dict[int, int]:
        """Picks as diagram level -> value index. A value no design can have is left out, never
        clamped or read as another: callers answer it themselves (`_impossible`)."""
        finite = self._finite
        levels: dict[int, int] = {}
        for key, value in picks.items():
            attribute = self._attribute_by_key.get(key)
            if attribute is None or value is None:
                continue
            variables = finite.by_attribute[key]
            if attribute.kind is AttributeKind.MULTI:
                if not isinstance(value, list | tuple | set | frozenset):
                    continue
                chosen = frozenset(value)
                if any(attribute.option(str(option)) is None for option in chosen):
                    continue
                for index in variables:
                    levels[self._layout.level(index)] = int(finite.variables[index].option in chosen)
                continue
            finite_value: FiniteValue
            if attribute.kind is AttributeKind.TEXT:
                longest = len(finite.variables[variables[0]].values) - 1
                # More code points than a text of `longest` graphemes can hold: too long, uncounted.
                if not isinstance(value, str) or len(value) > max(longest, 1) * MAX_CODE_POINTS_PER_GRAPHEME:
                    continue
                finite_value = grapheme_length(value)
            elif attribute.kind is AttributeKind.IMAGE:
                if value != "" and image_pick(value) is None:
                    continue
                finite_value = _presence(value)
            elif attribute.kind is AttributeKind.NUMBER:
                finite_value = number_value(value)  # 18.5 from JSON is the grid's Decimal("18.5")
            else:
                finite_value = value if not isinstance(value, frozenset) else None
            found = finite.variables[variables[0]].index(finite_value)
            if found is not None:
                levels[self._layout.level(variables[0])] = found
        return levels

    # -- queries ----------------------------------------------------------------------------------

    def domains(self, picks: Mapping[str, Value], *, explain: bool = True, count: bool = False) -> Domains:
        """Every attribute's options given the picks: available iff some valid design has it (with
        the other picks kept); otherwise, with `explain`, the picks and rules in the way. With
        `count`, also the number of valid designs agreeing with the picks (as `count(picks)`).

        A pick on a conditional attribute holds only while the attribute applies (so it never greys
        out what would make it stop applying). When picks clash, the clashing attributes are answered
        against every other pick, and every other attribute as if the clashing picks were not made:
        only the options involved are greyed. A pick no design can have (see `count`) clashes on its
        own: it is named with why (the values the attribute takes), and every answer is given as if
        it were not made, except that a text too long stands for a text that is there."""
        impossible, levels, sweep, clash, rest_levels, rest_sweep = self._sweeps(picks)
        consistent = sweep.consistent and not impossible
        best = sweep.best.tolist()  # plain ints: far cheaper to read one by one than numpy scalars
        rest_best = rest_sweep.best.tolist() if clash else best
        why = _Why(self, levels, sweep) if explain else None
        rest_why = (_Why(self, rest_levels, rest_sweep) if explain else None) if clash else why
        states = {
            answers.key: (
                answers.state(picks.get(answers.key), best, why)
                if answers.key in clash
                else answers.state(picks.get(answers.key), rest_best, rest_why)
            )
            for answers in self._answers
        }
        violations: tuple[Violation, ...] = tuple(impossible.values())
        if not sweep.consistent:
            violations += tuple(self._conflicts({k: picks[k] for k in clash if k not in impossible}))
        remaining = self.count(picks) if count else None
        return Domains(states, consistent, violations, remaining, clash)

    def _sweeps(
        self, picks: Mapping[str, Value]
    ) -> tuple[dict[str, Violation], dict[int, int], Sweep, tuple[str, ...], dict[int, int], Sweep]:
        """What `domains` answers from: the impossible picks, the levels and sweep of every pick, the
        clashing attributes, and the levels and sweep the others are answered with."""
        impossible = self._impossible(picks)
        levels, soft = self._engine_picks(picks, 1)
        sweep = self._diagram.sweep(levels, None, soft)
        clash: tuple[str, ...] = ()
        rest_sweep, rest_levels = sweep, levels
        if not (sweep.consistent and not impossible):
            clash = self.clash(picks)
            # The rest is answered without the clashing picks, but a text too long still stands for
            # a text that is there (`_engine_picks`): what it makes apply is settled with it.
            rest = {
                k: v
                for k, v in picks.items()
                if k not in clash
                or (k in impossible and self._attribute_by_key[k].kind is AttributeKind.TEXT)
            }
            rest_levels, rest_soft = self._engine_picks(rest, 1)
            rest_sweep = self._diagram.sweep(rest_levels, None, rest_soft)
        return impossible, levels, sweep, clash, rest_levels, rest_sweep

    def explain(self, picks: Mapping[str, Value], attribute: str, option: Value) -> Reason | None:
        """Why `attribute = option` is greyed out given the picks, as `domains(picks)` says it; None
        when it is available (or unknown). A text attribute's option is a length in graphemes."""
        target = self._target(attribute, option)
        if target is None:
            return None
        variable, index = target
        _, levels, sweep, clash, rest_levels, rest_sweep = self._sweeps(picks)
        if attribute not in clash:
            levels, sweep = rest_levels, rest_sweep
        distance = int(sweep.best[self._layout.slot(variable, index)])
        if distance == 0:
            return None
        return _Why(self, levels, sweep).reason(variable, index, distance)

    def _target(self, attribute: str, value: Value) -> tuple[int, int] | None:
        """The finite variable and value index standing for `attribute = value`."""
        target = self.model.attribute(attribute)
        if target is None:
            return None
        finite = self._finite
        if target.kind is AttributeKind.MULTI:
            options = finite.by_attribute[attribute]
            found = next((i for i in options if finite.variables[i].option == value), None)
            return None if found is None else (found, 1)
        variable = finite.by_attribute[attribute][0]
        wanted: FiniteValue
        if target.kind is AttributeKind.TEXT:
            wanted = grapheme_length(value) if isinstance(value, str) else None
            if isinstance(value, int):
                wanted = value
        elif target.kind is AttributeKind.IMAGE:
            wanted = int(value) if isinstance(value, int) else _presence(value)
        elif target.kind is AttributeKind.NUMBER:
            wanted = number_value(value)
        else:
            wanted = None if isinstance(value, frozenset) else value
        index = finite.variables[variable].index(wanted)
        return None if index is None else (variable, index)

    def _conflicts(self, picks: Mapping[str, Value]) -> list[Violation]:
        levels = self._levels(picks)
        assignment = self._layout.variables(levels)
        tables = self._compiled.explainer.rules(assignment)
        return [
            Violation("rule", tuple(self._attributes_of(t.scope)), t.rule.message, t.rule) for t in tables
        ] or [Violation("rule", tuple(picks), RULES.localized("These choices cannot be combined."))]

    def _attributes_of(self, scope: tuple[int, ...]) -> list[str]:
        keys: list[str] = []
        for variable in scope:
            key = self._finite.variables[variable].attribute
            if key not in keys:
                keys.append(key)
        return keys

    def count(self, picks: Mapping[str, Value] | None = None) -> int:
        """Exact number of valid designs agreeing with the picks (texts counted by length); a pick on a
        conditional attribute agrees with designs where it does not apply (see `domains`).

        A pick no design can have (a number off its range or steps, an option the attribute does not
        offer, a text longer than its `max_length`...) agrees with none: 0. A pick on an attribute
        the product does not have is an `UnknownAttributeError`."""
        if picks and self._impossible(picks):
            return 0
        levels, soft = self._engine_picks(picks or {}, 1)
        return self._diagram.count(levels, soft)

    def repair(self, picks: Mapping[str, Value], attribute: str, value: Value) -> Repair | None:
        """The fewest other picks to change so that `attribute = value` becomes possible.

        None when no valid design has that value at all.
        """
        found = self.repairs(picks, attribute, value, limit=1)
        return found[0] if found else None

    def repairs(
        self, picks: Mapping[str, Value], attribute: str, value: Value, *, limit: int = 3
    ) -> list[Repair]:
        """Ways to make `attribute = value` possible, fewest changed picks first: the cheapest, then
        for each attribute it changes, the cheapest that keeps that one (switch the font, or shorten
        the text). A multi counts as one pick however many of its options change; a pick on a
        conditional attribute that stops applying is set aside, not changed. Empty when no valid
        design has that value at all."""
        found = self._target(attribute, value)
        if found is None:
            return []
        variable, index = found
        level = self._layout.level(variable)
        kept = {k: v for k, v in picks.items() if v is not None}
        target = self.model.attribute(attribute)
        if target is not None and target.kind is not AttributeKind.MULTI:
            kept.pop(attribute, None)  # a multi's other options stay as picked
        weights = self._repair_weights(kept)
        first = self._repair_with(kept, level, index, weights)
        if first is None:
            return []
        found_repairs = [first]
        for change in first.changes:
            keep = {**weights, change.attribute: weights[change.attribute] * 1_000}
            other = self._repair_with(kept, level, index, keep)
            if other is None or any(c.attribute == change.attribute for c in other.changes):
                continue
            if all(
                {c.attribute for c in other.changes} != {c.attribute for c in r.changes}
                for r in found_repairs
            ):
                found_repairs.append(other)
        found_repairs.sort(key=lambda r: len(r.changes))
        return [Repair(attribute, value, r.changes) for r in found_repairs[:limit]]

    def _repair_weights(self, picks: Mapping[str, Value]) -> dict[str, int]:
        """What changing each pick costs a repair: one attribute each, shared among a multi's options."""
        weights: dict[str, int] = {}
        for key in picks:
            variables = self._finite.by_attribute.get(key, ())
            weights[key] = max(1, REPAIR_UNIT // max(1, len(variables)))
        return weights

    def _repair_with(
        self, picks: Mapping[str, Value], level: int, index: int, weights: Mapping[str, int]
    ) -> Repair | None:
        finite, diagram = self._finite, self._diagram
        levels, soft = self._engine_picks(picks, weights)
        impossible = self._impossible(picks)
        for key in impossible:  # a pick no design can have is changed, whatever it becomes
            for variable in finite.by_attribute[key]:
                size = len(finite.variables[variable].values)
                soft[self._layout.level(variable)] = np.full(size, weights[key], dtype=np.int64)
        levels.pop(level, None)
        soft.pop(level, None)
        by_level = {lv: weights[self._layout.attribute_at(lv)] for lv in levels}
        sweep = diagram.sweep(levels, by_level, soft)
        path = diagram.path_through(sweep, level, index, levels)
        if path is None:
            return None
        changes: dict[str, Change] = {}
        for lv, new_index in sorted(path.items()):
            if lv in levels:
                changed = new_index != levels[lv]
            elif lv in soft:
                changed = bool(soft[lv][new_index])
            else:
                continue
            if not changed:
                continue
            variable_at = finite.variables[self._layout.variable_at(lv)]
            key = variable_at.attribute
            old = picks.get(key)
            if variable_at.option is not None:
                current = changes[key].new if key in changes else frozenset() if key in impossible else old
                members = set(current) if isinstance(current, frozenset) else set()
                if new_index:
                    members.add(variable_at.option)
                else:
                    members.discard(variable_at.option)
                changes[key] = Change(key, old, frozenset(members))
            else:
                changes[key] = Change(key, old, variable_at.values[new_index])
        return Repair("", None, tuple(changes.values()))

    def applicability(self, design: Mapping[str, Value]) -> dict[str, bool]:
        """Whether each attribute applies in a design (its `when` holds, or it has none)."""
        env = self._env(design)
        return {a.key: a.when is None or _holds(a.when, env) for a in self.model.attributes}

    def validate(self, design: Mapping[str, Value]) -> list[Violation]:
        """Every way a complete design breaks the product's rules (not only the first)."""
        violations: list[Violation] = []
        env = self._env(design)
        applying: dict[str, bool] = {}
        for attribute in self.model.attributes:
            applies = attribute.when is None or _holds(attribute.when, env)
            applying[attribute.key] = applies
            value = design.get(attribute.key)
            if not applies:
                if not _is_empty(value):
                    message = attribute.when_message or RULES.localized(
                        "“{label}” does not apply with your other choices.",
                        label=attribute.label,
                    )
                    violations.append(Violation("invalid", (attribute.key,), message))
                continue
            if attribute.kind is AttributeKind.IMAGE:
                if attribute.required and not value:
                    message = RULES.localized("Upload an image for “{label}”.", label=attribute.label)
                    violations.append(Violation("missing", (attribute.key,), message))
                continue
            if value is None or (attribute.kind is AttributeKind.TEXT and value == "" and attribute.required):
                if attribute.kind not in (AttributeKind.MULTI,):
                    message = RULES.localized("Choose “{label}”.", label=attribute.label)
                    violations.append(Violation("missing", (attribute.key,), message))
                continue
            invalid = _coerce(attribute, value)[1] if attribute.kind is not AttributeKind.TEXT else None
            if invalid is not None:  # a value the attribute never takes (a text's length: below)
                violations.append(Violation("invalid", (attribute.key,), invalid))
                continue
            if attribute.kind is AttributeKind.MULTI and isinstance(value, frozenset):
                high = attribute.max_count if attribute.max_count is not None else len(attribute.options)
                if not attribute.min_count <= len(value) <= high:
                    message = RULES.localized(
                        "Choose {low} to {high} for “{label}”.",
                        label=attribute.label,
                        low=attribute.min_count,
                        high=high,
                    )
                    violations.append(Violation("rule", (attribute.key,), message))
            if attribute.kind is AttributeKind.TEXT and isinstance(value, str) and value and attribute.text:
                for problem in check_text(value, attribute.text, self.model.brand, label=attribute.label):
                    violations.append(Violation("text", (attribute.key,), problem.message))
        for constraint, references, keys in self._constraint_reads:
            if not references <= env.keys():
                continue
            if not _holds(constraint.expr, env):
                rule = RuleRef(constraint.id, constraint.message, constraint.origin, constraint.source)
                violations.append(Violation("rule", keys, constraint.message, rule))
        for table in self.model.tables:
            # `null` in a row matches an attribute that does not apply; one that applies without a
            # value is already reported as missing.
            if any(env.get(key) is None and applying[key] for key in table.attributes):
                continue
            row = tuple(env.get(key) for key in table.attributes)
            if (row in table.rows) != table.allowed:
                rule = RuleRef(table.id, table.message, table.origin, table.source)
                violations.append(Violation("table", table.attributes, table.message, rule))
        return violations

    def personalisation(self, design: Mapping[str, Value]) -> tuple[str, ...]:
        """The attributes that make the design the shopper's own (a name engraved, a photo printed):
        those marked personalised that apply with a value; every attribute when the whole product is
        made to the shopper's specifications. Empty: the design is a stock product."""
        if self.model.personalised:
            return tuple(a.key for a in self.model.attributes)
        applying = self.applicability(design)
        return tuple(
            a.key
            for a in self.model.attributes
            if a.personalised and applying[a.key] and not _is_empty(design.get(a.key))
        )

    def advice(self, design: Mapping[str, Value]) -> tuple[Violation, ...]:
        """The merchant's warnings (`severity: warning`) the design breaks: said, never enforced."""
        env = self._env(design)
        found: list[Violation] = []
        for advisory in self.model.advisories:
            if advisory.expr.references() <= env.keys() and not _holds(advisory.expr, env):
                keys = tuple(a.key for a in self.model.attributes if a.key in advisory.expr.references())
                rule = RuleRef(advisory.id, advisory.message, advisory.origin, advisory.source)
                found.append(Violation("warning", keys, advisory.message, rule))
        return tuple(found)

    def set_by(self, design: Mapping[str, Value]) -> dict[str, ValueRule]:
        """The attributes whose value a `set:` rule gave the design (its condition holds, and the
        value is the one it sets), each with that rule."""
        env = self._env(design)
        found: dict[str, ValueRule] = {}
        for rule in self.model.value_rules:
            if rule.when is not None and not _holds(rule.when, env):
                continue
            for key, value in rule.values.items():
                if key not in found and design.get(key) == value:
                    found[key] = rule
        return found

    def recommended(self, design: Mapping[str, Value]) -> tuple[Recommendation, ...]:
        """The merchant's suggestions whose condition the design meets."""
        env = self._env(design)
        return tuple(r for r in self.model.recommendations if r.when is None or _holds(r.when, env))

    def _env(self, design: Mapping[str, Value]) -> dict[str, object]:
        env: dict[str, object] = {}
        for attribute in self.model.attributes:
            value = design.get(attribute.key)
            if attribute.kind is AttributeKind.TEXT:
                env[attribute.key] = grapheme_length(value) if isinstance(value, str) else 0
            elif attribute.kind is AttributeKind.IMAGE:
                env[attribute.key] = _presence(value)
            elif attribute.kind is AttributeKind.MULTI:
                env[attribute.key] = value if isinstance(value, frozenset) else frozenset()
            elif attribute.key in design:
                env[attribute.key] = value
        return env

    def price(self, design: Mapping[str, Value], quantity: int = 1, currency: str | None = None) -> Quote:
        """The exact price of a design: labelled Decimal lines and a total."""
        return quote(self.model, design, quantity, currency)


class _Answers:
    """One attribute's answer objects over its slots (`rules.engine.layout`), prepared once per
    product so that a domains query does little more than read distances."""

    def __init__(self, slots: AttributeSlots, conditional: bool) -> None:
        self.key, self.kind = slots.key, slots.kind
        self.slots, self.targets, self.keys = slots.slots, slots.targets, slots.keys
        self.variable, self.first, self.values, self.none_slot = (
            slots.variable,
            slots.first,
            slots.values,
            slots.none_slot,
        )
        self.conditional = conditional
        self.applies: bool | None = None if conditional else True
        # Answers without a reason are the same for every query: build them once.
        self.available = [OptionState(key, True) for key in self.keys]
        self.greyed = [OptionState(key, False) for key in self.keys]

    def state(self, picked: Value, best: list[int], why: _Why | None) -> AttributeState:
        """The attribute's domain read from the sweep's per-slot distances."""
        if self.kind in LENGTH_KINDS:
            # An image's state reads like a text's: max_length 1 when an image may be given.
            return self._text(picked, best, why)
        if why is None:
            pairs = zip(self.available, self.greyed, self.slots, strict=True)
            options = tuple([a if best[slot] == 0 else g for a, g, slot in pairs])
        else:
            listed: list[OptionState] = []
            for index, slot in enumerate(self.slots):
                distance = best[slot]
                if distance == 0:
                    listed.append(self.available[index])
                else:
                    variable, value = self.targets[index]
                    listed.append(OptionState(self.keys[index], False, why.reason(variable, value, distance)))
            options = tuple(listed)
        applies = self.applies
        if self.conditional and self.kind is not AttributeKind.MULTI:
            some_available = any(best[slot] == 0 for slot in self.slots)
            none_available = self.none_slot >= 0 and best[self.none_slot] == 0
            applies = None if (none_available and some_available) else some_available
        return AttributeState(self.key, applies, picked, options)

    def _text(self, picked: Value, best: list[int], why: _Why | None) -> AttributeState:
        distances = best[self.first : self.first + len(self.values)]
        possible = [length for length, distance in enumerate(distances) if distance == 0]
        max_length = max(possible, default=0)
        reason = None
        if why is not None and max_length + 1 < len(self.values):
            reason = why.reason(self.variable, max_length + 1, distances[max_length + 1])
        text = TextState(max_length, 0 in possible, max_length > 0, reason)
        return AttributeState(self.key, self.applies, picked, text=text)


class _Why:
    """The reasons of one query, sharing the cheapest-path walks and propagation between options."""

    def __init__(self, product: Product, levels: dict[int, int], sweep: Sweep) -> None:
        self.product = product
        self.levels = levels
        self.sweep = sweep
        self._paths: CheapestPaths | None = None
        layout = product._layout
        self._keys = [layout.attribute_at(level) for level in range(product._diagram.levels)]
        self._picks = layout.variables(levels)
        # A pick on a conditional attribute admits its value or "does not apply" (`_engine_picks`).
        self._within = {
            layout.variable_at(level): np.flatnonzero(cost == 0).tolist()
            for level, cost in sweep.soft.items()
        }
        self._explaining = Explaining(
            product._compiled.explainer, self._picks, sweep.consistent, within=self._within
        )
        # The states without each picked attribute that has a greyed option come from one plan, so an
        # option's reason is the same whether asked alone (`explain`) or with every other (`domains`).
        self._explaining.prepare(self._picked_with_greyed())

    def reason(self, variable: int, value: int, distance: int) -> Reason:
        """Why `variable = value` is out: the picks to change and the rules in the way."""
        layout, explainer = self.product._layout, self.product._compiled.explainer
        if distance >= INF:
            return Reason((), tuple(t.rule for t in explainer.dead(variable, value)))
        if self._paths is None:
            self._paths = CheapestPaths(self.product._diagram, self.sweep)
        keys = self._keys
        attributes = list(
            dict.fromkeys(keys[level] for level in sorted(self._paths.broken(layout.level(variable), value)))
        )
        # The rules are found against every other pick: the culprits say what to change, but a rule
        # such as "at most 3 colours" only bites with all the picks it counts.
        # Only the option's own variable is set aside: a multi's other options stay as picked, as in
        # the availability itself, so a count rule can name them.
        tables = self._explaining.rules(variable, value, (variable,))
        return Reason(tuple(attributes), tuple(t.rule for t in tables))

    def _picked_with_greyed(self) -> list[int]:
        """The picked variables with an option greyed out for want of other picks (not dead ones)."""
        diagram, best = self.product._diagram, self.sweep.best
        layout = self.product._layout
        found = []
        for level in [*self.levels, *self.sweep.soft]:
            first, last = int(diagram.slot_start[level]), int(diagram.slot_start[level + 1])
            distances = best[first:last]
            if bool(np.any((distances > 0) & (distances < INF))):
                found.append(layout.variable_at(level))
        return found


@dataclass
class Catalog:
    brand: Brand
    products: dict[str, Product]
    warnings: list[Diagnostic] = field(default_factory=list)


def load_catalog(folder: str | Path) -> Catalog:
    """Load, check and compile every product of a catalog folder (raises CatalogError)."""
    brand, models, warnings = load_catalog_models(folder)
    return Catalog(brand, {key: Product(model) for key, model in models.items()}, warnings)


def load_product(path: str | Path, brand: Brand | str | Path | None = None) -> Product:
    """Load and compile one product file; the brand defaults to `brand.yaml` beside it."""
    path = Path(path)
    if brand is None or isinstance(brand, (str, Path)):
        brand = load_brand(Path(brand) if brand is not None else path.parent / "brand.yaml")
    return Product(load_product_model(path, brand))


class UnknownAttributeError(RulesError, ValueError):
    """A pick on an attribute the product does not have."""

    def __init__(self, product: str, key: str, known: list[str]) -> None:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"product {product!r} has no attribute {key!r}{hint}")
        self.key = key


def _unplaceable(attribute: Attribute, value: Value, brand: Brand) -> Violation | None:
    """Why no design can have `value` for `attribute`, or None when some can."""
    typed, problem = _coerce(attribute, value)
    if problem is not None:
        return Violation("invalid", (attribute.key,), problem)
    limits = attribute.text
    # Code points bound graphemes from above: a short text is never too long, and is not segmented.
    if isinstance(typed, str) and limits is not None and len(typed) > limits.max_length:
        for found in check_text(typed, limits, brand, label=attribute.label):
            if found.code is TextProblemCode.TOO_LONG:  # as `validate` says it, so answers merge
                return Violation("text", (attribute.key,), found.message)
    return None


def _holds(expr: object, env: Mapping[str, object]) -> bool:
    from rules.errors import EvaluationError
    from rules.expr import Expr

    assert isinstance(expr, Expr)
    try:
        return bool(expr.evaluate(env))
    except EvaluationError:
        return False


def _nearness(values: tuple[FiniteValue, ...], default: Value) -> IntArray:
    """What each value costs in place of the default: 0 for the default (and for "does not apply",
    which the attribute's condition decides), else CHANGE plus its rank by nearness: numbers by
    distance, other values by their distance in the merchant's order; ties go to the earlier."""
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    home = next((position for position, (_, v) in enumerate(present) if v == default), 0)

    def distance(position: int) -> tuple[float, int]:
        value = present[position][1]
        if isinstance(value, int) and not isinstance(value, bool) and isinstance(default, int):
            return (abs(value - default), value)
        return (abs(position - home), position)

    cost = np.zeros(len(values), dtype=np.int64)
    ranked = sorted(range(len(present)), key=distance)
    for rank, position in enumerate(ranked):
        index, value = present[position]
        cost[index] = (
            0 if value == default and type(value) is type(default) else CHANGE + min(rank, RANK_LIMIT)
        )
    return cost


def _empty(attribute: Attribute) -> Value:
    if attribute.kind is AttributeKind.MULTI:
        return frozenset()
    if attribute.kind in LENGTH_KINDS:
        return ""
    return None


def _presence(value: object) -> int:
    """An image value as the engine reads it: 1 when an upload is named, else 0."""
    return 1 if image_pick(value) is not None else 0


def _spoken_number(value: NumberValue | None) -> int | Decimal:
    """A number as a message parameter: spoken the language's way (18,5 in French)."""
    return 0 if value is None else value


def _is_empty(value: Value) -> bool:
    return value is None or value == "" or value == frozenset()


def _coerce(attribute: Attribute, value: object) -> tuple[Value, Localized | None]:
    """A JSON value as the attribute's typed value, or what to tell the shopper instead (the request's
    field names the attribute for integrators)."""
    if value is None:
        return None, None
    match attribute.kind:
        case AttributeKind.CHOICE | AttributeKind.COLOUR:
            if isinstance(value, str) and attribute.option(value) is not None:
                return value, None
            return None, RULES.localized(
                "Choose one of the options offered for “{label}”.",
                label=attribute.label,
            )
        case AttributeKind.BOOLEAN:
            if isinstance(value, bool):
                return value, None
            return None, RULES.localized("Answer yes or no for “{label}”.", label=attribute.label)
        case AttributeKind.NUMBER:
            number = number_value(value)
            if number is not None and attribute.takes_number(number):
                return number, None
            unit = f" {attribute.unit}" if attribute.unit else ""
            return None, RULES.localized(
                "Choose “{label}” from {low} to {high}{unit}, in steps of {step}.",
                label=attribute.label,
                low=_spoken_number(attribute.minimum),
                high=_spoken_number(attribute.maximum),
                unit=unit,
                step=Localized(
                    {language: f"{spoken(attribute.step, language)}{unit}" for language in LANGUAGES}
                ),
            )
        case AttributeKind.MULTI:
            if isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value):
                value = list(value)
                unknown = [v for v in value if attribute.option(str(v)) is None]
                if not unknown and len(set(value)) == len(value):
                    return frozenset(str(v) for v in value), None
            return None, RULES.localized(
                "Choose among the options offered for “{label}”, each at most once.",
                label=attribute.label,
            )
        case AttributeKind.TEXT:
            if isinstance(value, str):
                return value, None
            return None, RULES.localized("Write a text for “{label}”.", label=attribute.label)
        case AttributeKind.IMAGE:
            if isinstance(value, str) and (value == "" or image_pick(value) is not None):
                return value, None
            return None, RULES.localized(
                "Upload the image for “{label}” again.",
                label=attribute.label,
            )
