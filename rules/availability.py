"""Options a merchant has taken off sale for now, as constraints over a published product.

A withdrawn option is one more rule of the product (`not (wood == walnut)`, or `not (nuts in toppings)`
for a multi), so the engine greys it out with the merchant's message as the reason, never completes a
design with it and refuses designs that hold it, exactly as it does for any rule the merchant wrote.

>>> from pathlib import Path
>>> from rules import Product, load_catalog
>>> mug = load_catalog(Path(__file__).parent.parent / "catalog").products["engraved-mug"]
>>> gold = Withdrawn("colour", "gold", Localized.plain("Gold is sold out."))
>>> sold_out = Product(withdraw(mug.model, [gold]))
>>> [v.message.get("en") for v in sold_out.validate({**mug.defaults(), "colour": "gold"})]
['Gold is sold out.']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from rules import expr as x
from rules.model import AttributeKind, Constraint, Localized, ProductModel

ORIGIN = "availability"
# Only these kinds have options a merchant can withdraw one by one.
WITHDRAWABLE = (AttributeKind.CHOICE, AttributeKind.COLOUR, AttributeKind.MULTI)


@dataclass(frozen=True)
class Withdrawn:
    """One option off sale, and what a shopper reads about it."""

    attribute: str
    option: str
    message: Localized


class UnknownOptionError(LookupError):
    """The product has no such attribute, or no such option of it, or the attribute has no options."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(detail)
        self.what = what  # "attribute" or "option"
        self.detail = detail


def check_option(model: ProductModel, attribute: str, option: str) -> None:
    """Raise `UnknownOptionError` unless `attribute` is a withdrawable attribute having `option`."""
    found = model.attribute(attribute)
    if found is None:
        raise UnknownOptionError("attribute", f"{model.key} has no attribute {attribute!r}")
    if found.kind not in WITHDRAWABLE:
        raise UnknownOptionError(
            "attribute", f"{model.key}.{attribute} is a {found.kind.value} attribute: it has no options"
        )
    if all(o.key != option for o in found.options):
        known = ", ".join(o.key for o in found.options)
        raise UnknownOptionError(
            "option", f"{model.key}.{attribute} has no option {option!r} (it has {known})"
        )


def withdrawable(model: ProductModel, withdrawn: Withdrawn) -> bool:
    """Whether the product has the option (a later version may have dropped it)."""
    try:
        check_option(model, withdrawn.attribute, withdrawn.option)
    except UnknownOptionError:
        return False
    return True


def constraint_id(attribute: str, option: str) -> str:
    """The rule's id, as answers name it."""
    return f"{ORIGIN}:{attribute}.{option}"


def constraint(model: ProductModel, withdrawn: Withdrawn) -> Constraint:
    """The rule that keeps one option out of every design."""
    check_option(model, withdrawn.attribute, withdrawn.option)
    attribute = model.attribute(withdrawn.attribute)
    assert attribute is not None
    name, option = x.Name(withdrawn.attribute), x.OptionKey(withdrawn.option)
    held: x.Expr = (
        x.Compare("in", option, name)
        if attribute.kind is AttributeKind.MULTI
        else x.Compare("==", name, option)
    )
    return Constraint(
        id=constraint_id(withdrawn.attribute, withdrawn.option),
        expr=x.Not(held),
        message=withdrawn.message,
        origin=ORIGIN,
    )


def withdraw(model: ProductModel, withdrawn: Iterable[Withdrawn]) -> ProductModel:
    """The product with one more rule per withdrawn option; the model itself when none is.

    Its `source_hash` says which options are withdrawn and with what message, so the compile cache
    keeps one compiled product per published version and state of availability.
    """
    # One rule per option: the last message given for it wins.
    by_option = {(w.attribute, w.option): w for w in withdrawn}
    kept = [by_option[key] for key in sorted(by_option)]
    if not kept:
        return model
    extra = tuple(constraint(model, w) for w in kept)
    state = json.dumps(
        [[w.attribute, w.option, sorted(w.message.texts.items())] for w in kept], ensure_ascii=False
    )
    digest = hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]
    return replace(
        model,
        constraints=(*model.constraints, *extra),
        source_hash=f"{model.source_hash or hash(model)}+{ORIGIN}:{digest}",
    )
