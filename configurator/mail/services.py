"""The order confirmation: written to the outbox in the transaction that marks the order paid, then
sent by `configurator.mail.tasks.send_outbox_message` once that transaction has committed.

The outbox row is the promise: if the order is paid, the message exists (same transaction), and
nothing about sending it (a down SMTP server, a lost broker message) can undo or repeat the payment.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from configurator.catalog import versions
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.mail.models import OutboxMessage, OutboxStatus
from configurator.mail.tasks import send_outbox_message
from configurator.orders.models import Order, OrderLine
from configurator.tasks import enqueue_after_commit
from configurator.wording import IDEA_STATUS_LABELS
from rules.money import round_money

ORDER_CONFIRMATION = "order_confirmation"

# The confirmation's own words, in each language an order can be written in; others read English.
TEXTS = {
    "en": {
        "subject": "Your order {number} is confirmed",
        "hello": "Hello {name},",
        "paid": "Thank you: your payment for order {number} has arrived,\nand we are starting on it.",
        "line": "{index}. {label} x {quantity}: {unit} each, {total}",
        "follow": "Follow your order (keep this link to yourself: it is the key to the order):",
        "yes": "yes",
        "no": "no",
    },
    "fr": {
        "subject": "Votre commande {number} est confirmée",
        "hello": "Bonjour {name},",
        "paid": "Merci : votre paiement pour la commande {number} est bien arrivé,\n"
        "et nous commençons à la préparer.",
        "line": "{index}. {label} x {quantity} : {unit} l'unité, {total}",
        "follow": "Suivez votre commande (gardez ce lien pour vous : c'est la clé de la commande) :",
        "yes": "oui",
        "no": "non",
    },
}


IDEA_STATUS = "idea_status"

# Telling a follower what became of an idea they follow.
IDEA_TEXTS = {
    "en": {
        "subject": 'News of the idea "{title}"',
        "body": 'Hello,\n\nThe idea you follow, "{title}", is now: {status}.',
        "note": "The shop adds: {note}",
        "see": "See it on the board:",
        "why": "You receive this because you asked to follow this idea. To stop, unfollow it on its page.",
    },
    "fr": {
        "subject": "Du nouveau sur l'idée « {title} »",
        "body": "Bonjour,\n\nL'idée que vous suivez, « {title} », est maintenant : {status}.",
        "note": "La boutique précise : {note}",
        "see": "Voir l'idée :",
        "why": "Vous recevez ce message car vous suivez cette idée. Pour ne plus le recevoir, "
        "cessez de la suivre sur sa page.",
    },
}


PREORDER_RELEASED = "preorder_released"
PREORDER_DECLINED = "preorder_declined"

# Telling a shopper what became of their pre-order of a limited edition.
PREORDER_TEXTS = {
    "en": {
        PREORDER_RELEASED + ".subject": "The edition of your pre-order {number} will not be made",
        PREORDER_RELEASED: "Hello {name},\n\nThe limited edition you pre-ordered did not reach enough "
        "pre-orders by its deadline, so it will not be made.\nNothing was charged, and your saved card "
        "is no longer kept for it.",
        PREORDER_DECLINED + ".subject": "Your pre-order {number}: the payment did not go through",
        PREORDER_DECLINED: "Hello {name},\n\nGood news: the limited edition you pre-ordered will be made.\n"
        "Your bank refused the payment we tried with your saved card, so your piece is waiting for you: "
        "pay on your order's page to keep it.",
        "link": "Your order (keep this link to yourself: it is the key to the order):",
    },
    "fr": {
        PREORDER_RELEASED + ".subject": "L'édition de votre précommande {number} ne sera pas fabriquée",
        PREORDER_RELEASED: "Bonjour {name},\n\nL'édition limitée que vous avez précommandée n'a pas "
        "atteint assez de précommandes à temps : elle ne sera pas fabriquée.\nRien n'a été débité, et "
        "votre carte n'est plus conservée pour elle.",
        PREORDER_DECLINED + ".subject": "Votre précommande {number} : le paiement n'a pas abouti",
        PREORDER_DECLINED: "Bonjour {name},\n\nBonne nouvelle : l'édition limitée que vous avez "
        "précommandée sera fabriquée.\nVotre banque a refusé le paiement tenté avec votre carte "
        "enregistrée : votre pièce vous attend, payez-la sur la page de votre commande pour la garder.",
        "link": "Votre commande (gardez ce lien pour vous : c'est la clé de la commande) :",
    },
}


def texts(locale: str) -> dict[str, str]:
    """The confirmation's words in `locale` (its language), or in English."""
    return TEXTS.get(locale.split("-")[0].lower(), TEXTS["en"])


logger = logging.getLogger(__name__)


def queue_order_confirmation(order: Order) -> None:
    """Write the order's confirmation to the outbox (once per order) and send it after the commit.

    Runs inside the transaction that marks the order paid; whatever goes wrong here is logged and
    rolled back to a savepoint, never raised: a missing e-mail must not undo a payment.
    """
    try:
        with db.session.begin_nested():
            message_id = _insert_once(
                kind=ORDER_CONFIRMATION,
                order_id=order.id,
                recipient=order.email,
                subject=texts(order.locale)["subject"].format(number=order.number),
                body=confirmation_body(order, current_app.config["ATELIER_PUBLIC_URL"]),
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
        words = IDEA_TEXTS.get(locale.split("-")[0].lower(), IDEA_TEXTS["en"])
        known = IDEA_STATUS_LABELS.get(idea.status)
        status = known.get(locale) if known is not None else idea.status
        lines = [words["body"].format(title=idea.title, status=status)]
        if idea.status_note:
            lines.append(words["note"].format(note=idea.status_note))
        lines.extend(["", words["see"], link, "", words["why"]])
        message = OutboxMessage(
            kind=IDEA_STATUS,
            recipient=recipient,
            subject=words["subject"].format(title=idea.title),
            body="\n".join(lines) + "\n",
        )
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
    words = PREORDER_TEXTS.get(order.locale.split("-")[0].lower(), PREORDER_TEXTS["en"])
    link = f"{current_app.config['ATELIER_PUBLIC_URL']}/orders/{order.token}"
    body = "\n".join(
        [words[kind].format(name=order.name, number=order.number), "", words["link"], link, "", "Atelier"]
    )
    message_id = _insert_once(
        kind=kind,
        order_id=order.id,
        recipient=order.email,
        subject=words[kind + ".subject"].format(number=order.number),
        body=body + "\n",
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


def confirmation_body(order: Order, public_url: str) -> str:
    """The plain-text confirmation, in the order's language: every line with its choices, the
    totals, and the order's link."""
    words = texts(order.locale)
    lines = [
        words["hello"].format(name=order.name),
        "",
        *words["paid"].format(number=order.number).split("\n"),
        "",
    ]
    for index, line in enumerate(order.lines, start=1):
        lines.extend(_describe_line(index, line, order.currency, order.locale))
        lines.append("")
    for item in order.summary:
        lines.append(f"{item['label']}: {_money(Decimal(item['amount']), order.currency)}")
    lines.extend(["", words["follow"], f"{public_url}/orders/{order.token}", "", "Atelier"])
    return "\n".join(lines) + "\n"


def _describe_line(index: int, line: OrderLine, currency: str, locale: str) -> list[str]:
    label, choices = _labels(line, locale)
    head = texts(locale)["line"].format(
        index=index,
        label=label,
        quantity=line.quantity,
        unit=_money(line.unit_price, currency),
        total=_money(line.total, currency),
    )
    return [head, *(f"   {name}: {value}" for name, value in choices)]


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


def _value(value: object, locale: str) -> str:
    if isinstance(value, bool):
        return texts(locale)["yes" if value else "no"]
    if isinstance(value, list):
        return ", ".join(_value(item, locale) for item in value)
    return str(value)


def _money(amount: Decimal, currency: str) -> str:
    # Stored amounts carry four decimals whatever the currency; shown, they carry the currency's.
    return f"{round_money(amount, currency):f} {currency}"
