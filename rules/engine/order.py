"""Variable ordering for decision diagrams.

A good order keeps related variables close so the diagram stays narrow. FORCE (Aloul, Markov &
Sakallah, 2003) moves each variable towards the centre of gravity of the constraints it is in; it is
linear per pass and works well on configuration models. A "hub" variable that most constraints
mention (a vehicle range's model code, say) is placed first instead: once it is fixed, most
constraints shrink to a few small ones, and the compiler conditions on it.

Variables that share no constraint, even through others, are independent: each connected component
gets a contiguous block of levels, ordered on its own. The diagram of a product of independent parts
is then the chain of their diagrams, its size their sum, where interleaving them would multiply.
"""

from __future__ import annotations

from collections.abc import Sequence

FORCE_PASSES = 50
# FORCE sees a longer scope as overlapping windows of this many variables (in the scope's order): one
# centre of gravity for a clause over a hundred features would pull them all together, away from
# the constraints that tie each of them to its neighbours.
FORCE_WINDOW = 12
HUB_SHARE = 0.3  # a variable in at least this share of the constraints is a hub
HUB_MIN_CONSTRAINTS = 20


def force_order(count: int, scopes: Sequence[Sequence[int]], passes: int = FORCE_PASSES) -> list[int]:
    """An order of variables 0..count-1 (as a list of variable indices) that keeps scopes compact."""
    scopes = [window for scope in scopes for window in _windows(scope)]
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


def variable_order(count: int, scopes: Sequence[Sequence[int]]) -> tuple[int | None, list[int]]:
    """The hub, if any, and an order of all variables: the hub first, then each component of the rest
    (in order of its first variable) as one block ordered by FORCE."""
    hub = find_hub(count, scopes)
    rest = [[v for v in scope if v != hub] for scope in scopes]
    order = [] if hub is None else [hub]
    for members in components(count, rest):
        if hub in members:
            continue
        local = {v: i for i, v in enumerate(members)}
        inside = [[local[v] for v in scope] for scope in rest if scope and scope[0] in local]
        order.extend(members[i] for i in force_order(len(members), inside))
    return hub, order


def components(count: int, scopes: Sequence[Sequence[int]]) -> list[list[int]]:
    """The connected components of the variables (linked by sharing a scope), each sorted."""
    parent = list(range(count))

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for scope in scopes:
        if scope:
            first = root(scope[0])
            for variable in scope[1:]:
                other = root(variable)
                if other != first:
                    parent[other] = first
    blocks: dict[int, list[int]] = {}
    for variable in range(count):
        blocks.setdefault(root(variable), []).append(variable)
    return sorted(blocks.values(), key=lambda block: block[0])


def _windows(scope: Sequence[int]) -> list[Sequence[int]]:
    """`scope` itself, or a chain of windows covering it, each overlapping the next by one variable."""
    if len(scope) <= FORCE_WINDOW:
        return [scope]
    step = FORCE_WINDOW - 1
    return [scope[i : i + FORCE_WINDOW] for i in range(0, len(scope) - 1, step)]


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
