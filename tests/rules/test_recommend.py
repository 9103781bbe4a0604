"""The recommender: rankings stay within what the engine allows, votes follow similar designs and weights."""

from __future__ import annotations

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
    # then blue, chosen by 2 of the 3 such designs, comes first
    assert [value for value, _ in ranked] == ["blue", "green", "red"]
    assert ranked[0][1] == 2 / 3
    assert sum(share for _, share in ranked) == 1.0


def test_the_closest_designs_vote_when_none_agrees_with_every_pick() -> None:
    recommender = Recommender(PAST)
    # no past design has size s with a handle: those agreeing with one of the two picks vote
    ranked = recommender.rank({"size": "s", "handle": "yes"}, "colour")
    assert ranked[0][0] == "blue"
    assert {value for value, _ in ranked} == {"red", "blue", "green"}


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
    assert recommender.rank({"size": "m"}, "colour")[0] == ("red", 2 / 3)


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
