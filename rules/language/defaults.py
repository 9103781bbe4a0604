"""What `atelier rules check` says when a product's default design breaks its own rules.

The check itself needs the compiled product (`rules.analysis` runs it); this module only words the
finding for the merchant: the rule at fault, the defaults it sees, and the defaults to write instead
(the nearest valid design, as `Product.complete({})` finds it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from rules.errors import Diagnostic
from rules.model import Attribute, AttributeKind, ProductModel, Value
from rules.results import Violation

CODE = "invalid-default"


def invalid_default_diagnostics(
    model: ProductModel,
    defaults: Mapping[str, Value],
    violations: Sequence[Violation],
    nearest: Mapping[str, Value] | None,
) -> list[Diagnostic]:
    """One error per violation of the default design, naming the rule, the defaults it sees, and
    the `default:` to write instead (from `nearest`, a valid design closest to the defaults)."""
    changes = _changes(model, defaults, nearest)
    found = []
    for violation in violations:
        named = [a for a in (model.attribute(key) for key in violation.attributes) if a is not None]
        rule = violation.rule
        what = f"rule “{rule.id}”" if rule is not None else "the product's rules"
        if rule is not None and rule.source is not None:
            what += f" (line {rule.source.line})"
        seen = ", ".join(f"{a.key}: {_yaml(a, defaults.get(a.key))}" for a in named)
        message = f"the default design breaks {what}: {violation.message.get('en')}"
        if seen:
            message += f" (defaults {seen})"
        fixes = [change for change in changes if change[0] in violation.attributes] or changes
        if fixes:
            hint = "write " + "; ".join(f"`default: {value}` for `{key}`" for key, value in fixes)
        elif named:
            keys = " or ".join(f"`{a.key}`" for a in named)
            hint = f"change the `default:` of {keys} so that the rule holds"
        else:
            hint = "change the `default:` of the attributes the rule names so that it holds"
        if rule is not None and not fixes:
            hint += f", or relax rule “{rule.id}”"
        anchor = named[0].source if named else (rule.source if rule is not None else None)
        found.append(Diagnostic("error", CODE, message, anchor or model.source, hint))
    return found


def _changes(
    model: ProductModel, defaults: Mapping[str, Value], nearest: Mapping[str, Value] | None
) -> list[tuple[str, str]]:
    if nearest is None:
        return []
    return [
        (attribute.key, _yaml(attribute, nearest.get(attribute.key)))
        for attribute in model.attributes
        if nearest.get(attribute.key) is not None
        and nearest.get(attribute.key) != defaults.get(attribute.key)
    ]


def _yaml(attribute: Attribute, value: Value) -> str:
    """A value as it is written after `default:` in the product file."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        order = [option.key for option in attribute.options]
        return "[" + ", ".join(sorted(value, key=lambda key: order.index(key) if key in order else 0)) + "]"
    if attribute.kind is AttributeKind.TEXT:
        return json.dumps(value, ensure_ascii=False)
    return str(value)
