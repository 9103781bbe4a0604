"""The order confirmation: written to the outbox in the transaction that marks the order paid, then
sent by `configurator.mail.tasks.send_outbox_message` once that transaction has committed.

The outbox row is the promise: if the order is paid, the message exists (same transaction), and
nothing about sending it (a down SMTP server, a lost broker message) can undo or repeat the payment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from configurator.catalog import versions
from configurator.catalog.errors import CatalogNotPublished
from configurator.catalog.services import current_catalog
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.locale import MESSAGES
from configurator.mail.models import OutboxMessage, OutboxStatus
from configurator.mail.tasks import send_outbox_message
from configurator.orders.models import Order, OrderLine
from configurator.tasks import enqueue_after_commit
from configurator.wording import IDEA_STATUS_LABELS
from rules.i18n import Amount, spoken
from rules.money import round_money

ORDER_CONFIRMATION = "order_confirmation"
IDEA_STATUS = "idea_status"
PREORDER_RELEASED = "preorder_released"
PREORDER_DECLINED = "preorder_declined"


@dataclass(frozen=True)
class Written:
    """An e-mail as its template wrote it, in its reader's language."""

    subject: str
    body: str


def written(kind: str, locale: str, **context: Any) -> Written:
    """The e-mail `kind` written by its template (templates/mail/<kind>.txt) in `locale`: gettext
    messages from the application's catalog, money and dates formatted the way the language writes
    them (CLDR). The template's first line is the subject, the body follows the first blank line."""
    with force_locale(locale.replace("-", "_")):
        text = render_template(f"mail/{kind}.txt", shop=_shop_name(locale), **context)
    subject, _, body = text.strip("\n").partition("\n\n")
    return Written(subject.strip(), body.strip("\n") + "\n")


def _shop_name(locale: str) -> str:
    try:
        return current_catalog().brand.label.get(locale)
    except CatalogNotPublished:
        return "Atelier"


logger = logging.getLogger(__name__)


def queue_order_confirmation(order: Order) -> None:
    """Write the order's confirmation to the outbox (once per order) and send it after the commit.

    Runs inside the transaction that marks the order paid; whatever goes wrong here is logged and
    rolled back to a savepoint, never raised: a missing e-mail must not undo a payment.
    """
    try:
        with db.session.begin_nested():
            confirmation = confirmation_of(order, current_app.config["ATELIER_PUBLIC_URL"])
            message_id = _insert_once(
                kind=ORDER_CONFIRMATION,
                order_id=order.id,
                recipient=order.email,
                subject=confirmation.subject,
                body=confirmation.body,
            )
    except Exception:  # noqa: BLE001
        logger.exception("could not queue the confirmation of order %s; the order is paid", order.number)
        return
    if message_id is not None:
        enqueue_after_commit(send_outbox_message, message_id)


def queue_idea_update(idea: Any, *, recipients: list[tuple[str, str]], link: str) -> None:
    """On `events.idea_status_changed`: a message to each follower in their language, written in the
    transaction of the change and sent after its commit. `idea` is read for its title, status and
    note only."""
    message_ids: list[int] = []
    for recipient, locale in recipients:
        known = IDEA_STATUS_LABELS.get(idea.status)
        status = known.get(locale) if known is not None else idea.status
        news = written(IDEA_STATUS, locale, idea=idea, status=status, link=link)
        message = OutboxMessage(kind=IDEA_STATUS, recipient=recipient, subject=news.subject, body=news.body)
        db.session.add(message)
        db.session.flush()
        message_ids.append(message.id)
    for message_id in message_ids:
        enqueue_after_commit(send_outbox_message, message_id)


def queue_preorder_released(order: Order) -> None:
    """On `events.preorder_released`: tell the shopper nothing was charged (once per order)."""
    _queue_preorder_news(order, PREORDER_RELEASED)


def queue_preorder_declined(order: Order, *, reason: str) -> None:
    """On `events.preorder_declined`: ask the shopper to pay on the order's page (once per order)."""
    _queue_preorder_news(order, PREORDER_DECLINED)


def _queue_preorder_news(order: Order, kind: str) -> None:
    link = f"{current_app.config['ATELIER_PUBLIC_URL']}/orders/{order.token}"
    news = written(kind, order.locale, order=order, link=link)
    message_id = _insert_once(
        kind=kind, order_id=order.id, recipient=order.email, subject=news.subject, body=news.body
    )
    if message_id is not None:
        enqueue_after_commit(send_outbox_message, message_id)


def withdraw_order_confirmation(order: Order) -> None:
    """The order was refunded or cancelled: its confirmation, if still unsent, never goes out ("we are
    starting on it" would be untrue). Runs in the transaction of the change; one that is being sent
    right now still arrives."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.order_id == order.id,
            OutboxMessage.kind == ORDER_CONFIRMATION,
            OutboxMessage.status == OutboxStatus.PENDING.value,
        )
        .values(status=OutboxStatus.WITHDRAWN.value)
        .execution_options(synchronize_session=False)
    )


def _insert_once(**values: Any) -> int | None:
    """Insert an outbox row unless (order, kind) has one already; its id, or None when it had.

    ON CONFLICT DO NOTHING rather than catching the IntegrityError: the statement cannot fail on a
    duplicate, so a racing second payment event leaves the transaction as it was."""
    now = utcnow()
    row = {"status": OutboxStatus.PENDING.value, "attempts": 0, "created_at": now, **values}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(OutboxMessage).values(row).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(OutboxMessage).values(row).on_conflict_do_nothing()
    else:  # pragma: no cover - the app runs on PostgreSQL or SQLite
        raise NotImplementedError(f"no insert-once for {dialect}")
    return db.session.scalar(statement.returning(OutboxMessage.id))


def confirmation_of(order: Order, public_url: str) -> Written:
    """The plain-text confirmation, in the order's language: every line with its choices, the
    totals, and the order's link."""
    locale = order.locale
    lines = []
    for line in order.lines:
        label, choices = _labels(line, locale)
        lines.append(
            {
                "label": label,
                "quantity": line.quantity,
                "unit": _money(line.unit_price, order.currency, locale),
                "total": _money(line.total, order.currency, locale),
                "choices": choices,
            }
        )
    summary = [
        {"label": item["label"], "amount": _money(Decimal(item["amount"]), order.currency, locale)}
        for item in order.summary
    ]
    return written(
        ORDER_CONFIRMATION,
        locale,
        order=order,
        lines=lines,
        summary=summary,
        link=f"{public_url}/orders/{order.token}",
    )


def _labels(line: OrderLine, locale: str) -> tuple[str, list[tuple[str, str]]]:
    """The product's and the choices' labels as the shopper saw them (the line's own version, the
    order's language); the raw keys if that version cannot be read, so a catalog problem never
    stops the e-mail."""
    try:
        model = versions.product_for(line.version).model
    except Exception:  # noqa: BLE001
        logger.warning("order line %s: version %s unreadable; e-mail shows keys", line.id, line.version_id)
        return line.product_key, [(key, _value(value, locale)) for key, value in line.choices.items()]
    described: list[tuple[str, str]] = []
    for key, value in line.choices.items():
        attribute = model.attribute(key)
        if attribute is None or value is None or value == "" or value == []:
            continue  # not applicable, or left empty: nothing to confirm
        values = value if isinstance(value, list) else [value]
        shown = []
        for item in values:
            option = attribute.option(item) if isinstance(item, str) else None
            shown.append(option.label.get(locale) if option is not None else _value(item, locale))
        described.append((attribute.label.get(locale), ", ".join(shown)))
    return model.label.get(locale), described


_YES_NO = {True: MESSAGES.localized("yes"), False: MESSAGES.localized("no")}


def _value(value: object, locale: str) -> str:
    if isinstance(value, bool):
        return _YES_NO[value].get(locale)
    if isinstance(value, list):
        return ", ".join(_value(item, locale) for item in value)
    return str(value)


def _money(amount: Decimal, currency: str, locale: str) -> str:
    # Stored amounts carry four decimals whatever the currency; shown, they carry the currency's,
    # written the language's way ("12,50 €").
    return spoken(Amount(round_money(amount, currency), currency), locale)
