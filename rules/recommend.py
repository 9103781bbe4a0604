"""Recommendations: rank an attribute's options by what shoppers with similar picks chose before.

The recommender learns from past designs (orders, and designs shoppers agreed to share), each with a
weight, orders weighing more. To rank the options of one attribute it lets the past designs that
agree with the shopper's picks vote: those agreeing with *every* pick when there are any, else those
agreeing with the most picks. When only a few designs agree, their vote is smoothed towards the
designs that agree with one pick fewer, so one odd past order does not decide alone.

Only designs whose value for the attribute is one of the candidates vote: with the values the engine
still allows as candidates, nothing excluded is ever proposed, and the most similar designs are
looked for among those that chose a value the shopper can still have.

Matching uses one bitset (a Python int) of past designs per attribute value: agreeing with all the
picks is a chain of `&`, so a ranking costs microseconds; counting agreements per design (numpy) is
the fallback when no design agrees with every pick.

>>> past = [{"size": "m", "colour": "red"}] * 2 + [{"size": "l", "colour": "blue"}] * 3
>>> recommender = Recommender([*past, {"size": "l", "colour": "red"}])
>>> recommender.rank({"size": "l"}, "colour")
[('blue', 0.75), ('red', 0.25)]
>>> recommender.rank({"size": "l"}, "colour", allowed=["red", "green"])
[('red', 1.0), ('green', 0.0)]
>>> recommender.popular("size")
[('l', 0.666...), ('m', 0.333...)]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from rules.model import AttributeKind, Value

if TYPE_CHECKING:
    from rules.product import Product

ORDER_WEIGHT = 1.0
DESIGN_WEIGHT = 0.25  # a saved design says less about taste than a paid order
SUPPORT = 3.0  # below this weight of agreeing designs, their vote leans on the next-closest ones

Ranking = list[tuple[Value, float]]


class Recommender:
    """What past shoppers chose, ready to rank an attribute's options given the current picks."""

    def __init__(
        self, designs: Iterable[Mapping[str, Value]], weights: Iterable[float] | None = None
    ) -> None:
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
        self._bits: list[list[int]] = [self._bitsets(column) for column in range(width)]
        self._popularity: list[npt.NDArray[np.float64]] = [
            self._counts(column, None) for column in range(width)
        ]

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

    def _bitsets(self, column: int) -> list[int]:
        """Per value code of the attribute, the rows holding it as a bitset (bit i = row i)."""
        values = self._matrix[:, column]
        return [
            int.from_bytes(np.packbits(values == code, bitorder="little").tobytes(), "little")
            for code in range(len(self._values[column]))
        ]

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

    def _mask(self, bits: int) -> npt.NDArray[np.bool_]:
        """A row bitset as a boolean array over the rows."""
        rows = len(self._weights)
        raw = np.frombuffer(bits.to_bytes((rows + 7) // 8, "little"), dtype=np.uint8)
        mask: npt.NDArray[np.bool_] = np.unpackbits(raw, bitorder="little")[:rows].astype(bool)
        return mask

    # -- questions ----------------------------------------------------------------------------------

    def popular(self, attribute: str) -> Ranking:
        """The attribute's values by their share of the weighted past designs, most chosen first."""
        column = self._column.get(attribute)
        if column is None:
            return []
        counts = self._popularity[column]
        total = float(counts.sum()) or 1.0
        order = sorted(range(len(counts)), key=lambda code: -counts[code])
        return [(self._values[column][code], float(counts[code]) / total) for code in order]

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
        code_of = [self._code(column, value) for value in candidates]
        known = [code for code in code_of if code is not None]
        bits = self._bits[column]
        voters = 0
        for code in known:
            voters |= bits[code]
        shares = self._shares(column, picks, voters, known) if voters else {}
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

    def _shares(
        self, column: int, picks: Mapping[str, Value], voters: int, known: list[int]
    ) -> dict[int, float]:
        """Per candidate code, its share of the vote of the past designs closest to the picks."""
        # Picks of values no past design has are left out: nobody agrees with them, so they would
        # lower every design alike.
        matches: list[tuple[int, int]] = []
        for key, value in picks.items():
            other = self._column.get(key)
            if other is None or other == column:
                continue
            code = self._code(other, value)
            if code is not None:
                matches.append((other, code))
        closest = voters
        for other, code in matches:
            closest &= self._bits[other][code]
            if not closest:
                break
        if closest:
            top = self._counts(column, self._mask(closest))
            backoff = None
            if float(top[known].sum()) < SUPPORT and matches:
                agreement = self._agreement(matches, voters)
                backoff = self._counts(column, self._mask(voters) & (agreement >= len(matches) - 1))
        else:
            # Nobody agrees with every pick: the designs agreeing with the most picks vote instead.
            agreement = self._agreement(matches, voters)
            eligible = self._mask(voters)
            best = int(agreement[eligible].max())
            top = self._counts(column, eligible & (agreement == best))
            backoff = self._counts(column, eligible & (agreement >= best - 1)) if best > 0 else None
        votes = top[known]
        weight = float(votes.sum())
        if backoff is not None and weight < SUPPORT:
            prior = backoff[known]
            total = float(prior.sum())
            if total > 0:
                votes = votes + SUPPORT * prior / total
                weight += SUPPORT
        if weight <= 0:
            return {}
        return {code: float(vote) / weight for code, vote in zip(known, votes, strict=True)}

    def _agreement(self, matches: list[tuple[int, int]], voters: int) -> npt.NDArray[np.int64]:
        """Per row, how many of the picks it agrees with."""
        agreement: npt.NDArray[np.int64] = np.zeros(len(self._weights), dtype=np.int64)
        if matches:
            columns = np.array([c for c, _ in matches], dtype=np.int64)
            codes = np.array([code for _, code in matches], dtype=np.int32)
            agreement = (self._matrix[:, columns] == codes).sum(axis=1, dtype=np.int64)
        return agreement

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
