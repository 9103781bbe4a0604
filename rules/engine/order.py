"""Variable ordering for decision diagrams.

A good order keeps related variables close so the diagram stays narrow. FORCE (Aloul, Markov &
Sakallah, 2003) moves each variable towards the centre of gravity of the constraints it is in; it is
linear per pass and works well on configuration models. A "hub" variable that most constraints
mention (a vehicle range's model code, say) is placed first instead: once it is fixed, most
constraints shrink to a few small ones, and the compiler conditions on it.
"""

from __future__ import annotations

from collections.abc import Sequence

FORCE_PASSES = 50
HUB_SHARE = 0.3  # a variable in at least this share of the constraints is a hub
HUB_MIN_CONSTRAINTS = 20


def force_order(count: int, scopes: Sequence[Sequence[int]], passes: int = FORCE_PASSES) -> list[int]:
    """An order of variables 0..count-1 (as a list of variable indices) that keeps scopes compact."""
    position = [float(i) for i in range(count)]
    order = list(range(count))
    touching: list[list[int]] = [[] for _ in range(count)]
    for index, scope in enumerate(scopes):
        for variable in scope:
            touching[variable].append(index)
    best_order, best_span = order, _span(order, scopes)
    for _ in range(passes):
        gravity = [sum(position[v] for v in scope) / len(scope) if scope else 0.0 for scope in scopes]
        target = [
            sum(gravity[c] for c in cs) / len(cs) if cs else position[v] for v, cs in enumerate(touching)
        ]
        order = sorted(range(count), key=lambda v: (target[v], position[v]))
        for rank, variable in enumerate(order):
            position[variable] = float(rank)
        span = _span(order, scopes)
        if span < best_span:
            best_order, best_span = order, span
    return best_order


def find_hub(count: int, scopes: Sequence[Sequence[int]]) -> int | None:
    """The variable most constraints mention, if it is mentioned by enough of them to condition on."""
    if len(scopes) < HUB_MIN_CONSTRAINTS:
        return None
    degree = [0] * count
    for scope in scopes:
        for variable in set(scope):
            degree[variable] += 1
    hub = max(range(count), key=lambda v: degree[v], default=None)
    if hub is None or degree[hub] < HUB_SHARE * len(scopes):
        return None
    return hub


def _span(order: Sequence[int], scopes: Sequence[Sequence[int]]) -> int:
    rank = {v: i for i, v in enumerate(order)}
    return sum(max(rank[v] for v in s) - min(rank[v] for v in s) for s in scopes if s)
