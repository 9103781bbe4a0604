"""Recommendations: rank an attribute's options by what shoppers with similar picks chose before.

The recommender learns from past designs (orders, and designs shoppers agreed to share), each with a
weight, orders weighing more. To rank the options of one attribute, every past design votes with its
weight times its similarity to the shopper's picks: exp(-SIMILARITY * d), where d sums, over the picks
it disagrees with, the squared relevance of the picked attribute to the ranked one (their symmetric
uncertainty, learned from the past designs: how much knowing one tells about the other, 0 to 1).
Disagreeing on a pick that says nothing about the ranked attribute costs almost nothing; disagreeing on
one that decides it costs nearly all of the vote. So a design nobody chose before still gets the value
its nearest relatives agree on, rather than whatever the one past design sharing every pick happened
to choose. Designs agreeing with every pick vote REPEAT times more besides: many shoppers end where an
earlier one did, and then that design knows best.

Only designs whose value for the attribute is one of the candidates vote: with the values the engine
still allows as candidates, nothing excluded is ever proposed.

A ranking is one comparison of the picks with every distinct past design (numpy), kept for the next
ranking with the same picks, as the configurator ranks every attribute for one set of picks.

>>> past = [{"size": "m", "colour": "red"}] * 2 + [{"size": "l", "colour": "blue"}] * 3
>>> recommender = Recommender([*past, {"size": "l", "colour": "red"}])
>>> [(value, round(share, 2)) for value, share in recommender.rank({"size": "l"}, "colour")]
[('blue', 0.74), ('red', 0.26)]
>>> recommender.rank({"size": "l"}, "colour", allowed=["red", "green"])
[('red', 1.0), ('green', 0.0)]
>>> recommender.popular("size")
[('l', 0.666...), ('m', 0.333...)]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from rules.model import AttributeKind, Value

if TYPE_CHECKING:
    from rules.product import Product

ORDER_WEIGHT = 1.0
DESIGN_WEIGHT = 0.25  # a saved design says less about taste than a paid order
SIMILARITY = 10.0  # how fast a design's vote fades with the relevance of the picks it disagrees with
REPEAT = 3.0  # extra vote of a design agreeing with every pick, times its weight

BLAS_ONE_THREAD = 65536 * 4  # multiply-adds under which OpenBLAS keeps a product in one thread

Ranking = list[tuple[Value, float]]


class Recommender:
    """What past shoppers chose, ready to rank an attribute's options given the current picks."""

    def __init__(
        self,
        designs: Iterable[Mapping[str, Value]],
        weights: Iterable[float] | None = None,
        *,
        repeat: float = REPEAT,
        similarity: float = SIMILARITY,
    ) -> None:
        self.repeat, self.similarity = repeat, similarity
        self.attributes: list[str] = []
        self._column: dict[str, int] = {}
        self._codes: list[dict[Value, int]] = []
        self._values: list[list[Value]] = []
        designs = list(designs)
        given = [float(w) for w in weights] if weights is not None else [ORDER_WEIGHT] * len(designs)
        if len(given) != len(designs):
            raise ValueError(f"{len(designs)} designs but {len(given)} weights")
        # Identical designs become one row carrying their summed weight: sales repeat configurations.
        rows: dict[tuple[int, ...], float] = {}
        encoded: list[tuple[list[int], float]] = []
        for design, weight in zip(designs, given, strict=True):
            if weight <= 0:
                continue
            row: list[int] = [-1] * len(self.attributes)
            for key, value in design.items():
                column = self._column.get(key)
                if column is None:
                    column = self._add_attribute(key)
                    row.append(-1)
                codes = self._codes[column]
                code = codes.get(value)
                if code is None:
                    code = codes[value] = len(self._values[column])
                    self._values[column].append(value)
                row[column] = code
            encoded.append((row, weight))
        width = len(self.attributes)
        for row, weight in encoded:
            padded = tuple(row) + (-1,) * (width - len(row))
            rows[padded] = rows.get(padded, 0.0) + weight
        self._matrix: npt.NDArray[np.int32] = np.array(list(rows), dtype=np.int32).reshape(len(rows), width)
        self._weights: npt.NDArray[np.float64] = np.array(list(rows.values()), dtype=np.float64)
        self.designs = len(rows)  # distinct designs learned
        self._relevance = self._squared_relevance()
        self._comparison: _Comparison | None = None  # the last picks compared, kept for the next ranking
        self._popularity: list[npt.NDArray[np.float64]] = [
            self._counts(column, None) for column in range(width)
        ]
        self._popular: list[Ranking] = [self._ranked_by_popularity(column) for column in range(width)]
        # Per design and attribute, the index of its value among every attribute's values, each
        # attribute's run led by one slot for "no value": one bincount then counts every attribute.
        sizes = np.array([len(values) + 1 for values in self._values], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._slots = self._matrix.astype(np.int64) + 1 + self._offsets[:-1]

    @classmethod
    def from_history(
        cls, orders: Iterable[Mapping[str, Value]], designs: Iterable[Mapping[str, Value]] = ()
    ) -> Recommender:
        """Learn from orders (weight ORDER_WEIGHT) and consented designs (weight DESIGN_WEIGHT)."""
        orders, designs = list(orders), list(designs)
        weights = [ORDER_WEIGHT] * len(orders) + [DESIGN_WEIGHT] * len(designs)
        return cls([*orders, *designs], weights)

    def _add_attribute(self, key: str) -> int:
        self._column[key] = len(self.attributes)
        self.attributes.append(key)
        self._codes.append({})
        self._values.append([])
        return len(self.attributes) - 1

    def _squared_relevance(self) -> npt.NDArray[np.float32]:
        """Per pair of attributes, the square of their symmetric uncertainty 2 I(a; b) / (H(a) + H(b))
        over the weighted designs (a missing value counts as one more value); 0 on the diagonal."""
        rows, width = self._matrix.shape
        sizes = [len(values) + 1 for values in self._values]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        if not rows or not width:
            return np.zeros((width, width), dtype=np.float32)
        # One column per (attribute, value): the joint shares of every pair of values in one product.
        onehot = np.zeros((rows, int(offsets[-1])), dtype=np.float64)
        for column in range(width):
            onehot[np.arange(rows), offsets[column] + self._matrix[:, column] + 1] = 1.0
        shares = self._weights / self._weights.sum()
        joint = onehot.T @ (onehot * shares[:, None])
        single = np.diag(joint).copy()
        expected = np.outer(single, single)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(joint > 0, joint * np.log(joint / expected), 0.0)
        owner = np.repeat(np.arange(width), sizes)
        group = np.zeros((len(owner), width))
        group[np.arange(len(owner)), owner] = 1.0
        information = group.T @ terms @ group  # mutual information; entropy on the diagonal
        entropy = np.diag(information).copy()
        total = entropy[:, None] + entropy[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            uncertainty = np.where(total > 0, 2 * information / total, 0.0)
        np.fill_diagonal(uncertainty, 0.0)
        relevance: npt.NDArray[np.float32] = np.clip(uncertainty, 0.0, 1.0).astype(np.float32) ** 2
        return relevance

    def _ranked_by_popularity(self, column: int) -> Ranking:
        counts = self._popularity[column]
        total = float(counts.sum()) or 1.0
        order = sorted(range(len(counts)), key=lambda code: -counts[code])
        return [(self._values[column][code], float(counts[code]) / total) for code in order]

    def _counts(self, column: int, rows: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.float64]:
        """Weight of the given rows (all when None) per value code of the attribute."""
        values, weights = self._matrix[:, column], self._weights
        if rows is not None:
            values, weights = values[rows], weights[rows]
        known = values >= 0
        counts: npt.NDArray[np.float64] = np.bincount(
            values[known], weights=weights[known], minlength=len(self._values[column])
        ).astype(np.float64)
        return counts

    # -- questions ----------------------------------------------------------------------------------

    def popular(self, attribute: str) -> Ranking:
        """The attribute's values by their share of the weighted past designs, most chosen first."""
        column = self._column.get(attribute)
        return [] if column is None else list(self._popular[column])

    def rank(
        self, picks: Mapping[str, Value], attribute: str, allowed: Collection[Value] | None = None
    ) -> Ranking:
        """The attribute's candidate values, best first, each with the share of the similar past
        designs that chose it; the candidates are `allowed` when given (and only they), else every
        value seen. Ties go to the more popular value overall, then to `allowed`'s order."""
        column = self._column.get(attribute)
        if column is None:
            return [(value, 0.0) for value in allowed or ()]
        candidates: Sequence[Value] = list(allowed) if allowed is not None else self._values[column]
        codes: dict[object, int] = self._codes[column]  # type: ignore[assignment]
        try:
            code_of = [codes.get(value) for value in candidates]
        except TypeError:  # an unhashable candidate: look the values up one by one
            code_of = [self._code(column, value) for value in candidates]
        known = [code for code in code_of if code is not None]
        shares = self._shares(column, picks, known) if known else {}
        popularity = self._popularity[column]
        scored = [
            (
                value,
                0.0 if code is None else shares.get(code, 0.0),
                0.0 if code is None else float(popularity[code]),
                position,
            )
            for position, (value, code) in enumerate(zip(candidates, code_of, strict=True))
        ]
        scored.sort(key=lambda item: (-item[1], -item[2], item[3]))
        return [(value, share) for value, share, _, _ in scored]

    def _code(self, column: int, value: object) -> int | None:
        """The code of a value of the attribute, None when no past design has it."""
        codes: dict[object, int] = self._codes[column]  # type: ignore[assignment]
        try:
            return codes.get(value)
        except TypeError:  # unhashable: picks come from shoppers, and a list must not raise
            return None

    def _shares(self, column: int, picks: Mapping[str, Value], known: list[int]) -> dict[int, float]:
        """Per candidate code, its share of the similarity-weighted vote of the past designs."""
        comparison = self._compare(picks)
        votes = comparison.votes.get(column)
        if votes is None:
            if comparison.votes and column not in comparison.picked:
                # A second attribute ranked for the same picks, as the configurator ranks them all:
                # every attribute's votes at once cost less than one at a time.
                comparison.votes.update(self._all_votes(comparison))
                votes = comparison.votes[column]
            else:
                votes = comparison.votes[column] = self._votes(comparison, column)
        # Only the candidates' voters count: the others' bins are left out.
        chosen = votes[known]
        total = float(chosen.sum())
        if total <= 0:
            return {}
        return {code: float(vote) / total for code, vote in zip(known, chosen, strict=True)}

    def _compare(self, picks: Mapping[str, Value]) -> _Comparison:
        """The past designs compared with the picks: the last comparison when the picks are the same
        (the configurator ranks every attribute for one set of picks)."""
        items = tuple(picks.items())
        comparison = self._comparison  # one read: threads may share the recommender
        if comparison is not None and comparison.picks == items:
            return comparison
        # Picks of values no past design has are left out: nobody agrees with them, so they would
        # lower every design alike.
        matches: list[tuple[int, int]] = []
        for key, value in items:
            other = self._column.get(key)
            if other is not None:
                code = self._code(other, value)
                if code is not None:
                    matches.append((other, code))
        comparison = self._comparison = _Comparison.of(self._matrix, items, matches)
        return comparison

    def _votes(self, comparison: _Comparison, column: int) -> npt.NDArray[np.float64]:
        """Per value code of the attribute in `column`, the votes of the past designs: each its weight
        times its similarity to the picks, plus REPEAT times its weight when it agrees with every pick."""
        if not comparison.matches:
            return self._popularity[column]
        differs = comparison.differs
        distance = differs @ self._relevance[column, comparison.columns]
        disagreements = comparison.disagreements
        if column in comparison.picked:  # a pick of the ranked attribute itself is neither agreement
            # nor disagreement
            disagreements = disagreements - differs[:, comparison.columns == column].sum(axis=1)
        weights = self._weights * (self._closeness(distance) + self.repeat * (disagreements == 0))
        votes = np.bincount(
            self._matrix[:, column] + 1, weights=weights, minlength=len(self._values[column]) + 1
        )
        return votes[1:].astype(np.float64)

    def _all_votes(self, comparison: _Comparison) -> dict[int, npt.NDArray[np.float64]]:
        """`_votes` of every attribute not picked, at once."""
        differs = comparison.differs
        relevance = np.ascontiguousarray(self._relevance[:, comparison.columns].T)
        distance = np.empty((len(differs), len(self.attributes)), dtype=np.float32)
        # In blocks of rows small enough for OpenBLAS to multiply in the calling thread (its default
        # threshold): waking its threads for one product costs more than the product itself.
        block = max(1, BLAS_ONE_THREAD // max(1, relevance.size))
        for start in range(0, len(differs), block):
            np.matmul(differs[start : start + block], relevance, out=distance[start : start + block])
        exact = self.repeat * (comparison.disagreements == 0)
        weights = self._weights[:, None] * (self._closeness(distance) + exact[:, None])
        counts: npt.NDArray[np.float64] = np.bincount(
            self._slots.ravel(), weights=weights.ravel(), minlength=int(self._offsets[-1])
        ).astype(np.float64)
        return {
            column: counts[self._offsets[column] + 1 : self._offsets[column + 1]]
            for column in range(len(self.attributes))
            if column not in comparison.picked
        }

    def _closeness(self, distance: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """exp(-SIMILARITY * distance) per design (and attribute), scaled so the closest is 1."""
        # Held above e^-69 (1e-30, still a float32): designs far behind the closest then count for
        # nothing beside nearer ones, but still decide among themselves when no nearer one votes.
        closeness: npt.NDArray[np.float32] = np.exp(
            np.maximum(-self.similarity * (distance - distance.min(axis=0)), -69.0)
        )
        return closeness

    def most_popular_design(self, product: Product) -> dict[str, Value]:
        """A valid design of the product built from the most chosen values: attribute by attribute in
        the product's order, the best-ranked value the engine still allows, then completed by the
        engine (texts, and values no past design helps with)."""
        picks: dict[str, Value] = {}
        for attribute in product.model.attributes:
            key = attribute.key
            if attribute.kind in (AttributeKind.TEXT, AttributeKind.IMAGE):
                continue  # a shopper's own words and photos are never suggested
            if (
                attribute.when is not None
                and product.domains(picks, explain=False).attributes[key].applies is not True
            ):
                continue  # it may not apply (e.g. a font without an engraving): completion decides
            if attribute.kind is AttributeKind.MULTI:
                for value, _ in self.rank(picks, key):
                    if product.domains({**picks, key: value}, explain=False).consistent:
                        picks[key] = value
                        break
                continue
            state = product.domains(picks, explain=False).attributes[key]
            allowed = [option.key for option in state.options if option.available]
            if not allowed:
                continue
            picks[key] = self.rank(picks, key, allowed)[0][0]
        return product.complete(picks)


@dataclass
class _Comparison:
    """The past designs compared with one set of picks, and the votes computed from it so far."""

    picks: tuple[tuple[str, Value], ...]  # the picks as given
    matches: list[tuple[int, int]]  # (column, code) of every pick with a value some design has
    columns: npt.NDArray[np.int64]  # the picks' columns, in `matches` order
    differs: npt.NDArray[np.float32]  # per design and pick, 1 where the design disagrees
    disagreements: npt.NDArray[np.float32]  # per design, how many picks it disagrees with
    picked: frozenset[int]  # the picks' columns
    votes: dict[int, npt.NDArray[np.float64]] = field(default_factory=dict)  # per ranked column

    @classmethod
    def of(
        cls,
        matrix: npt.NDArray[np.int32],
        picks: tuple[tuple[str, Value], ...],
        matches: list[tuple[int, int]],
    ) -> _Comparison:
        """Compare every design (a row of `matrix`) with the picks."""
        columns = np.array([column for column, _ in matches], dtype=np.int64)
        codes = np.array([code for _, code in matches], dtype=np.int32)
        differs: npt.NDArray[np.float32] = (matrix[:, columns] != codes).astype(np.float32)
        return cls(picks, matches, columns, differs, differs.sum(axis=1), frozenset(columns.tolist()))
