"""The recommender: rankings stay within what the engine allows, votes follow similar designs and weights."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.model import AttributeKind, Value
from rules.product import Product
from rules.recommend import DESIGN_WEIGHT, ORDER_WEIGHT, Recommender
from tests.rules.test_engine_oracle import load, products, valid_designs
from tests.support.designs import every_design

PAST = [
    {"size": "m", "colour": "red", "handle": "yes"},
    {"size": "m", "colour": "red", "handle": "no"},
    {"size": "m", "colour": "blue", "handle": "no"},
    {"size": "l", "colour": "blue", "handle": "yes"},
    {"size": "l", "colour": "blue", "handle": "yes"},
    {"size": "l", "colour": "green", "handle": "yes"},
    {"size": "s", "colour": "green", "handle": "no"},
]


def test_designs_agreeing_with_every_pick_vote() -> None:
    recommender = Recommender(PAST)
    # given a shopper who picked size l, then a handle
    ranked = recommender.rank({"size": "l", "handle": "yes"}, "colour")
    # then blue, chosen by 2 of the 3 such designs, comes first, and red, chosen only by designs of
    # another size, last and far behind
    assert [value for value, _ in ranked] == ["blue", "green", "red"]
    assert ranked[0][1] > 0.5 > ranked[1][1] > 10 * ranked[2][1]
    assert abs(sum(share for _, share in ranked) - 1.0) < 1e-9


def test_a_pick_that_says_nothing_about_the_attribute_hardly_counts() -> None:
    recommender = Recommender(PAST)
    # no past design has size s with a handle; the size tells much about the colour, the handle
    # nothing (each colour comes with and without one)
    ranked = recommender.rank({"size": "s", "handle": "yes"}, "colour")
    # so the design of size s (green) outvotes the three of another size with a handle
    assert ranked[0][0] == "green"
    assert {value for value, _ in ranked} == {"red", "blue", "green"}


def _cars(trim: str, wheels: str, colours: list[str], engine: str = "petrol") -> list[dict[str, Value]]:
    return [{"trim": trim, "colour": c, "engine": engine, "wheels": wheels} for c in colours]


# The trim decides the wheels; the colour says nothing about them (every colour comes with both).
COLOURS = ["red", "blue", "white", "black", "grey"]
RELATIVES = _cars("sport", "alloy", COLOURS * 4) + _cars("basic", "steel", COLOURS * 4)


def test_a_design_never_seen_gets_the_value_its_nearest_relatives_agree_on() -> None:
    # given a sport car in teal with steel wheels, ordered three times, among sport cars of other
    # colours that all have alloy wheels
    odd = _cars("sport", "steel", ["teal"] * 3)
    recommender = Recommender([*RELATIVES, *odd])
    # when a shopper picks a sport car in teal
    ranked = recommender.rank({"trim": "sport", "colour": "teal", "engine": "petrol"}, "wheels")
    # then the relatives' alloy wheels come first, not the one design agreeing with every pick
    assert ranked[0][0] == "alloy"


def test_a_design_many_shoppers_ordered_is_followed() -> None:
    # given the same sport car in teal with steel wheels, ordered twenty times
    recommender = Recommender([*RELATIVES, *_cars("sport", "steel", ["teal"] * 20)])
    ranked = recommender.rank({"trim": "sport", "colour": "teal", "engine": "petrol"}, "wheels")
    # then a shopper who picked it so far is offered its wheels
    assert ranked[0][0] == "steel"


def test_a_relevant_pick_outweighs_many_irrelevant_ones() -> None:
    # given the relatives and a sport car in teal with a diesel engine (ordered three times), a shopper
    # who picks a basic trim in teal with a diesel engine
    odd = _cars("sport", "alloy", ["teal"] * 3, engine="diesel")
    recommender = Recommender([*RELATIVES, *odd])
    ranked = recommender.rank({"trim": "basic", "colour": "teal", "engine": "diesel"}, "wheels")
    # then steel, the basic trim's, wins over the alloy of the one design agreeing on colour and engine
    assert ranked[0][0] == "steel"


def test_rankings_follow_the_picks_as_they_change() -> None:
    recommender = Recommender(PAST)
    fresh = Recommender(PAST)
    picks: dict[str, Value] = {"size": "l"}
    first = recommender.rank(picks, "colour")
    # the same picks dictionary, changed in place, is compared afresh
    picks["size"] = "m"
    assert recommender.rank(picks, "colour") == fresh.rank({"size": "m"}, "colour") != first
    # and ranking other attributes for the same picks (all at once from the second on) gives what a
    # fresh recommender gives for each alone
    for attribute in ("handle", "colour"):
        together, alone = recommender.rank(picks, attribute), Recommender(PAST).rank(picks, attribute)
        assert [value for value, _ in together] == [value for value, _ in alone]
        assert [share for _, share in together] == pytest.approx([share for _, share in alone])


def test_designs_without_the_attribute_do_not_vote_on_it() -> None:
    # given designs learned before the colour and the handle existed, and one with both
    recommender = Recommender([{"size": "m"}] * 5 + [{"size": "m", "colour": "red", "handle": "yes"}])
    # then that one decides alone, ranked one attribute at a time or all at once
    for attribute in ("colour", "handle", "size"):
        assert recommender.rank({"size": "m"}, attribute)[0][1] == 1.0
    assert recommender.rank({"size": "m"}, "colour", allowed=["blue", "red"]) == [("red", 1.0), ("blue", 0.0)]


def test_allowed_values_only_and_in_any_case() -> None:
    recommender = Recommender(PAST)
    ranked = recommender.rank({"size": "l"}, "colour", allowed=["red", "purple"])
    # only the allowed values, the one nobody chose included, and never blue
    assert [value for value, _ in ranked] == ["red", "purple"]
    assert recommender.rank({}, "colour", allowed=[]) == []
    assert recommender.rank({}, "unknown", allowed=["x"]) == [("x", 0.0)]


def test_unknown_and_unhashable_picks_are_ignored() -> None:
    recommender = Recommender(PAST)
    picks: dict[str, object] = {"size": "xxl", "colour": ["not", "hashable"], "nothing": 1}
    assert recommender.rank(picks, "handle") == recommender.rank({}, "handle")  # type: ignore[arg-type]


def test_popularity() -> None:
    recommender = Recommender(PAST)
    assert recommender.popular("colour")[0] == ("blue", 3 / 7)
    assert [value for value, _ in recommender.popular("size")] == ["m", "l", "s"]
    assert recommender.popular("unknown") == []


def test_orders_weigh_more_than_designs() -> None:
    orders = [{"colour": "red"}] * 2
    designs = [{"colour": "blue"}] * 3
    recommender = Recommender.from_history(orders, designs)
    # 2 orders outweigh 3 saved designs
    assert recommender.popular("colour")[0][0] == "red"
    assert ORDER_WEIGHT * 2 > DESIGN_WEIGHT * 3
    # and explicit weights are used as given
    weighted = Recommender([{"colour": "red"}, {"colour": "blue"}], weights=[1.0, 5.0])
    assert weighted.rank({}, "colour") == [("blue", 5 / 6), ("red", 1 / 6)]


def test_identical_designs_are_learned_once_with_their_weight() -> None:
    recommender = Recommender([*PAST, *PAST])
    assert recommender.designs == len({tuple(design.items()) for design in PAST}) == 6
    # every design learned twice ranks as every design weighing twice
    doubled = Recommender(PAST, weights=[2.0] * len(PAST))
    assert recommender.rank({"size": "m"}, "colour") == doubled.rank({"size": "m"}, "colour")
    assert recommender.rank({"size": "m"}, "colour")[0][0] == "red"


def _available(product: Product, picks: dict[str, Value], key: str) -> list[Value]:
    state = product.domains(picks, explain=False).attributes[key]
    return [option.key for option in state.options if option.available]


settings.register_profile(
    "recommend", max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
)


@settings(settings.get_profile("recommend"))
@given(source=products(), data=st.data())
def test_never_proposes_an_option_the_engine_excludes(
    tmp_path_factory, source: str, data: st.DataObject
) -> None:
    product = load(tmp_path_factory.mktemp("p"), source)
    # given orders drawn from every design, valid or not (the past may predate today's rules)
    history = data.draw(st.lists(st.sampled_from(every_design(product)), min_size=1, max_size=12))
    recommender = Recommender(history)
    valid = valid_designs(product)
    if not valid:
        return
    # when a shopper sets the attributes of a valid design one by one, in a random order
    target = data.draw(st.sampled_from(valid))
    keys = [a.key for a in product.model.attributes if a.kind is not AttributeKind.MULTI]
    picks: dict[str, Value] = {}
    for key in data.draw(st.permutations(keys)):
        allowed = _available(product, picks, key)
        ranked = recommender.rank(picks, key, allowed)
        # then every proposal is available, and every available option is ranked once
        assert sorted(map(repr, (value for value, _ in ranked))) == sorted(map(repr, allowed))
        if ranked:
            assert ranked[0][1] >= ranked[-1][1]
        picks[key] = target[key]

    # and the most popular design is a valid one
    design = recommender.most_popular_design(product)
    assert product.validate(design) == []


def test_the_most_popular_design_leaves_out_what_may_not_apply() -> None:
    # Given orders that all chose a script font, on a mug whose font applies only to an engraving
    from pathlib import Path

    from rules import load_catalog

    mug = load_catalog(Path(__file__).parents[1] / "fixtures" / "catalog").products["mug"]
    order = {"colour": "gold", "material": "ceramic", "engraving": "", "font": "script", "gift_box": False}
    design = Recommender.from_history([order] * 3, []).most_popular_design(mug)
    # Then the design takes the popular glaze but no font, and is valid
    assert design["colour"] == "gold"
    assert design["font"] is None
    assert mug.validate(design) == []
