"""Everything a shopper writes for others to read (titles, display names, ideas, report notes) passes
the brand's text policy: its banned words, its scripts, the confusable spellings around them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from configurator.errors import FieldError, ValidationFailed
from configurator.wording import FIELD_LABELS, SOME_FIELD
from rules.model import Brand, TextLimits
from rules.text import check_text


def require_fit(texts: Mapping[str, tuple[str, TextLimits]], brand: Brand, locale: str) -> None:
    """Refuse (422, one error per problem, naming the field as shoppers know it) any text that breaks
    the policy or its limits. The brand's engraving length limit is for what is made, not for what
    is written about it, so it does not apply here."""
    policy = dataclasses.replace(brand, max_text_length=None)
    errors = [
        FieldError(field, problem.message.get(locale), code=problem.code.value)
        for field, (text, limits) in texts.items()
        for problem in check_text(text, limits, policy, label=FIELD_LABELS.get(field, SOME_FIELD))
    ]
    if errors:
        raise ValidationFailed("; ".join(e.detail for e in errors), errors=errors)
