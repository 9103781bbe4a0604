"""Where a product's attributes live in its compiled form: the one translation between the product's
words (attribute keys, option values) and the engine's (finite variables, diagram levels, value
indexes, slots).

Lowering (`rules.engine.finite`) turns each attribute into one finite variable (a multi: one 0/1
variable per option); compiling (`rules.engine.build`) puts each variable at a level of the diagram,
in an order of its own; a sweep answers one distance per slot, a (level, value) pair laid out level
after level. Everything above the engine asks this module, and never does that arithmetic itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rules.engine.diagram import Diagram
from rules.engine.finite import FiniteModel, FiniteValue
from rules.model import AttributeKind, ProductModel

# Kinds whose finite values are lengths (a text's characters, an image's presence), not options; their
# empty value is "", never None.
LENGTH_KINDS = frozenset({AttributeKind.TEXT, AttributeKind.IMAGE})


@dataclass(frozen=True)
class AttributeSlots:
    """One attribute's place in the diagram.

    `slots[i]` is where the distance of its i-th option is read, `targets[i]` the (variable, value
    index) that option is, `keys[i]` its key as answers name it. A single-variable attribute also has
    its `variable`, the `first` slot of that variable, its `values`, and `none_slot`: where "does not
    apply" is read (-1 when the attribute always applies). A text or an image lists no options: its
    values are lengths, read from `first` on."""

    key: str
    kind: AttributeKind
    slots: tuple[int, ...]
    targets: tuple[tuple[int, int], ...]
    keys: tuple[str | int | Decimal | bool, ...]
    variable: int = -1
    first: int = -1
    values: tuple[FiniteValue, ...] = ()
    none_slot: int = -1


class Layout:
    """The translation for one compiled product (built once per product, then only read)."""

    def __init__(self, model: ProductModel, finite: FiniteModel, diagram: Diagram) -> None:
        self.finite = finite
        self._level_of = diagram.level_of
        self._order = diagram.order
        self._slot_of_variable = diagram.slot_of_variable
        self.attributes = {a.key: self._slots(a.key, a.kind) for a in model.attributes}

    def level(self, variable: int) -> int:
        """The diagram level of a finite variable."""
        return self._level_of[variable]

    def variable_at(self, level: int) -> int:
        """The finite variable at a diagram level."""
        return self._order[level]

    def attribute_at(self, level: int) -> str:
        """The key of the attribute whose variable sits at a diagram level."""
        return self.finite.variables[self._order[level]].attribute

    def slot(self, variable: int, index: int) -> int:
        """Where the distance of `variable = index` is read in a sweep."""
        return self._slot_of_variable[variable] + index

    def levels(self, assignment: Mapping[int, int]) -> dict[int, int]:
        """An assignment of variables (variable -> value index) as the diagram reads it, by level."""
        return {self._level_of[variable]: value for variable, value in assignment.items()}

    def variables(self, levels: Mapping[int, int]) -> dict[int, int]:
        """An assignment by level back to variables."""
        return {self._order[level]: value for level, value in levels.items()}

    def _slots(self, key: str, kind: AttributeKind) -> AttributeSlots:
        variables = self.finite.by_attribute[key]
        slots: list[int] = []
        targets: list[tuple[int, int]] = []
        keys: list[str | int | Decimal | bool] = []
        if kind is AttributeKind.MULTI:
            for variable in variables:
                slots.append(self.slot(variable, 1))
                targets.append((variable, 1))
                keys.append(str(self.finite.variables[variable].option))
            return AttributeSlots(key, kind, tuple(slots), tuple(targets), tuple(keys))
        variable = variables[0]
        first = self.slot(variable, 0)
        values = self.finite.variables[variable].values
        none_slot = -1
        for index, value in enumerate(values):
            if value is None:
                none_slot = first + index
            elif kind not in LENGTH_KINDS:
                slots.append(first + index)
                targets.append((variable, index))
                keys.append(value)
        return AttributeSlots(
            key, kind, tuple(slots), tuple(targets), tuple(keys), variable, first, values, none_slot
        )
