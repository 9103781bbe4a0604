"""Availability services: mark an option sold out or paused, bring it back, and say which options are
off sale at a given moment (what the live rules add to each published product).

The catalog reads `withdrawn_at` whenever it works out the live rules; this domain knows nothing of
versions: the caller hands it the live product's model to check the keys against.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from babel.dates import format_datetime
from sqlalchemy import or_, select

from configurator.availability.errors import AvailabilityInvalid, OptionNotFound
from configurator.availability.models import PAUSED, SOLD_OUT, OptionAvailability
from configurator.errors import FieldError
from configurator.extensions import db
from configurator.locale import MESSAGES
from rules.availability import UnknownOptionError, Withdrawn, check_option
from rules.i18n import LANGUAGES, cldr_locale
from rules.model import Localized, ProductModel

# The longest message a merchant may write for one language: it is shown beside an option.
MAX_MESSAGE = 200

# Bumped by every change in this process, so the process that makes it never serves the rules from
# before it out of a cache; other processes see it when they next read the live rules.
_changes = 0
_changes_lock = threading.Lock()


def changes() -> int:
    """How many changes of availability this process has made."""
    return _changes


def _changed() -> None:
    global _changes
    with _changes_lock:
        _changes += 1


@dataclass(frozen=True)
class State:
    """The options off sale at one moment, per product, and when that can next change by itself."""

    withdrawn: Mapping[str, tuple[Withdrawn, ...]] = field(default_factory=dict)
    next_change: datetime | None = None  # the earliest end of a pause still to come

    @property
    def revision(self) -> str:
        """A short digest of what is off sale and with what message: caches key on it."""
        if not self.withdrawn:
            return ""
        listed = [
            [key, w.attribute, w.option, sorted(w.message.texts.items())]
            for key in sorted(self.withdrawn)
            for w in self.withdrawn[key]
        ]
        return hashlib.sha256(json.dumps(listed, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]

    def of(self, product_key: str) -> tuple[Withdrawn, ...]:
        return self.withdrawn.get(product_key, ())

    def current(self, now: datetime) -> bool:
        """Whether this state still holds at `now` (no pause has ended since it was read)."""
        return self.next_change is None or now < self.next_change


_ORDER = (OptionAvailability.product_key, OptionAvailability.attribute_key, OptionAvailability.option_key)


def now() -> datetime:
    return datetime.now(UTC)


def withdrawn_at(moment: datetime) -> State:
    """The options off sale at `moment`: sold out, or paused until later (one light query)."""
    rows = db.session.scalars(
        select(OptionAvailability)
        .where(or_(OptionAvailability.state == SOLD_OUT, OptionAvailability.until > moment))
        .order_by(
            OptionAvailability.product_key, OptionAvailability.attribute_key, OptionAvailability.option_key
        )
    ).all()
    withdrawn: dict[str, list[Withdrawn]] = {}
    for row in rows:
        withdrawn.setdefault(row.product_key, []).append(
            Withdrawn(row.attribute_key, row.option_key, shopper_message(row))
        )
    ends = [row.until for row in rows if row.until is not None]
    return State({key: tuple(found) for key, found in withdrawn.items()}, min(ends) if ends else None)


def shopper_message(row: OptionAvailability) -> Localized:
    """What a shopper reads beside the option: the merchant's words, else ours in every language."""
    if row.message:
        return Localized(dict(row.message))
    if row.state == PAUSED and row.until is not None:
        until = row.until
        return MESSAGES.localized(
            "Not available until {moment}.",
            moment=Localized(
                {
                    language: format_datetime(until, "medium", tzinfo=UTC, locale=cldr_locale(language))
                    for language in LANGUAGES
                }
            ),
        )
    return MESSAGES.localized("Sold out for now.")


def listed(product_key: str | None = None) -> list[OptionAvailability]:
    """Every option marked (a pause that has ended included, until it is cleared), by product."""
    query = select(OptionAvailability).order_by(*_ORDER)
    if product_key is not None:
        query = query.where(OptionAvailability.product_key == product_key)
    return list(db.session.scalars(query))


def is_current(row: OptionAvailability, moment: datetime) -> bool:
    """Whether the row keeps its option off sale at `moment`."""
    return row.state == SOLD_OUT or (row.until is not None and row.until > moment)


def _checked(model: ProductModel, attribute: str, option: str) -> None:
    try:
        check_option(model, attribute, option)
    except UnknownOptionError as error:
        raise OptionNotFound(
            f"The product {model.key} has no {error.what} to take off sale here.",
            extensions={"technical_detail": error.detail},
        ) from error


def _message(message: Mapping[str, str] | None) -> dict[str, str] | None:
    if not message:
        return None
    errors = [
        FieldError(f"message.{language}", f"At most {MAX_MESSAGE} characters, and not blank.")
        for language, text in message.items()
        if not text.strip() or len(text) > MAX_MESSAGE
    ]
    if errors:
        raise AvailabilityInvalid("The message is not valid.", errors=errors)
    return {language: text.strip() for language, text in message.items()}


def mark(
    model: ProductModel,
    attribute: str,
    option: str,
    *,
    until: datetime | None = None,
    message: Mapping[str, str] | None = None,
    by: str | None = None,
    moment: datetime | None = None,
) -> OptionAvailability:
    """Take an option of the live product off sale: sold out (no `until`), or paused until a moment
    to come; commits. Marking it again replaces what was said."""
    _checked(model, attribute, option)
    if until is not None:
        if until.tzinfo is None:
            raise AvailabilityInvalid(
                "The end of a pause needs its time zone.",
                errors=[FieldError("until", "Give a time zone, e.g. 2026-12-24T09:00:00Z.")],
            )
        if until <= (moment or now()):
            raise AvailabilityInvalid(
                "A pause must end in the future.",
                errors=[FieldError("until", "This moment has passed: the option would be back already.")],
            )
    text = _message(message)
    row = db.session.scalar(
        select(OptionAvailability).where(
            OptionAvailability.product_key == model.key,
            OptionAvailability.attribute_key == attribute,
            OptionAvailability.option_key == option,
        )
    )
    if row is None:
        row = OptionAvailability(product_key=model.key, attribute_key=attribute, option_key=option)
        db.session.add(row)
    row.state = SOLD_OUT if until is None else PAUSED
    row.until = until.astimezone(UTC) if until is not None else None
    row.message = text
    row.changed_by = by
    db.session.commit()
    _changed()
    return row


def clear(model: ProductModel, attribute: str, option: str) -> bool:
    """Put an option back on sale; commits. False when it was not marked."""
    _checked(model, attribute, option)
    row = db.session.scalar(
        select(OptionAvailability).where(
            OptionAvailability.product_key == model.key,
            OptionAvailability.attribute_key == attribute,
            OptionAvailability.option_key == option,
        )
    )
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    _changed()
    return True
