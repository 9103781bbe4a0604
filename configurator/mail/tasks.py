"""Sending the outbox: one task per message, by id, idempotent; and a sweep for lost enqueues.

Delivery is at least once. A message is marked sent only after the SMTP server accepted it, so a
worker that dies between the server's "250 OK" and our commit sends it again when the task is
redelivered. Both copies carry the same Message-ID (made from the outbox row), which receiving
servers and mail clients use to drop the duplicate. Attempts are counted before each send, so a
count above one on a sent message shows that this happened (or that a retry was needed), and a
message whose sends keep killing the worker still runs out of attempts (or of deliveries, see
configurator.deliveries) and is marked failed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from flask import current_app
from sqlalchemy import or_, select, update

from configurator.config import Mode
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.mail.models import OutboxMessage, OutboxStatus
from configurator.tasks import exclusive, send_now

# One first attempt and five retries; then the message is marked failed and left for a person.
MAX_ATTEMPTS = 6
# PostgreSQL advisory locks are keyed by two integers: this one ("mail") keeps ours apart.
ADVISORY_LOCK_SPACE = 0x6D61696C

logger = logging.getLogger(__name__)


class MailNotConfigured(RuntimeError):
    """Production without an SMTP host: messages wait in the outbox until one is configured."""


@dataclass(frozen=True)
class MailSettings:
    sender: str
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    timeout: float
    log_instead: bool  # the demo writes e-mails to the log when no SMTP host is set
    backoff: int
    backoff_max: int

    @classmethod
    def from_config(cls, config: Any) -> MailSettings:
        return cls(
            sender=config["ATELIER_MAIL_FROM"],
            host=config["ATELIER_SMTP_HOST"],
            port=config["ATELIER_SMTP_PORT"],
            user=config["ATELIER_SMTP_USER"],
            password=config["ATELIER_SMTP_PASSWORD"],
            starttls=config["ATELIER_SMTP_STARTTLS"],
            timeout=float(config["ATELIER_SMTP_TIMEOUT"]),
            log_instead=config["ATELIER_MODE"] == Mode.DEMO,
            backoff=config["ATELIER_MAIL_RETRY_BACKOFF"],
            backoff_max=config["ATELIER_MAIL_RETRY_BACKOFF_MAX"],
        )


def message_id_header(message: OutboxMessage, sender: str) -> str:
    """The same Message-ID for every attempt at one outbox row, unique across rows (the creation time
    keeps it unique even if a database is restored and ids are handed out again)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "atelier.invalid"
    return f"<outbox.{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def compose(message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """The e-mail of an outbox row; byte for byte the same on every attempt."""
    email = EmailMessage()
    email["Message-ID"] = message_id_header(message, settings.sender)
    email["Date"] = format_datetime(message.created_at)  # when it was written, as RFC 5322 means it
    email["From"] = settings.sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def deliver(email: EmailMessage, settings: MailSettings) -> None:
    """Hand the e-mail to the SMTP server (or, in the demo without one, to the log)."""
    if not settings.host:
        if settings.log_instead:
            # Headers and text as a person reads them, not as the wire carries them (quoted-printable).
            headers = "\n".join(f"{name}: {value}" for name, value in email.items() if name != "MIME-Version")
            logger.info(
                "No ATELIER_SMTP_HOST: this e-mail is logged, not sent.\n%s\n\n%s",
                headers,
                email.get_content(),
            )
            return
        raise MailNotConfigured("ATELIER_SMTP_HOST is not set: e-mails wait in the outbox")
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(email)


def is_permanent(error: Exception) -> bool:
    """The server refused this message for good (5xx for its sender, recipient or content): sending
    it again cannot help. Everything else (down, timeouts, 4xx, credentials) is worth a retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


@dataclass(frozen=True)
class Attempt:
    outcome: str  # sent | already sent | failed | pending | missing | retry
    error: Exception | None = None
    attempts: int = 0


def attempt(message_id: int, settings: MailSettings) -> Attempt:
    """One attempt at sending one message; never touches anything but its outbox row."""
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        return Attempt("missing")
    if message.status != OutboxStatus.PENDING:
        return Attempt(f"already {message.status}", attempts=message.attempts)
    if not settings.host and not settings.log_instead:
        # Not an attempt: nothing was tried, and the message must not use up its retries waiting.
        message.last_error = "ATELIER_SMTP_HOST is not set: e-mails wait in the outbox"
        db.session.commit()
        logger.error("outbox message %s waits: %s", message_id, message.last_error)
        return Attempt("pending", attempts=message.attempts)
    if message.attempts >= MAX_ATTEMPTS:
        # The last attempt never finished (its worker died mid-send, and the task was sent again by the
        # sweep): the attempts are used up all the same.
        message.status = OutboxStatus.FAILED.value
        message.last_error = f"given up after {message.attempts} attempts; the last one never finished"
        db.session.commit()
        logger.error("outbox message %s: %s", message_id, message.last_error)
        return Attempt("failed", attempts=message.attempts)
    message.attempts += 1
    message.last_attempt_at = utcnow()
    email = compose(message, settings)
    db.session.commit()  # the attempt is on record before the server sees anything
    try:
        deliver(email, settings)
    except (OSError, smtplib.SMTPException) as error:
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        final = is_permanent(error) or message.attempts >= MAX_ATTEMPTS
        if final:
            message.status = OutboxStatus.FAILED.value
        db.session.commit()
        logger.warning(
            "outbox message %s, attempt %s: %s%s",
            message_id,
            message.attempts,
            message.last_error,
            " (giving up)" if final else "",
        )
        return Attempt("failed" if final else "retry", error, message.attempts)
    message.status = OutboxStatus.SENT.value
    message.sent_at = utcnow()
    db.session.commit()
    return Attempt("sent", attempts=message.attempts)


def give_up(message_id: int, reason: str) -> None:
    """Mark a message that is still pending failed, with the reason (never one that went out)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.FAILED.value, last_error=reason[:1000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _give_up(_task: Task, message_id: int, *, reason: str) -> None:
    """Every delivery of the task killed its worker mid-send (configurator.deliveries)."""
    give_up(message_id, reason)


@shared_task(
    bind=True,
    name="mail.send_outbox_message",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS,  # a backstop: the outbox row's own count decides first
    on_deliveries_exhausted=_give_up,
)
def send_outbox_message(self: Task, message_id: int) -> str:
    """Send one outbox message unless it is sent (or being sent) already; retry with backoff."""
    settings = MailSettings.from_config(current_app.config)
    with exclusive(ADVISORY_LOCK_SPACE, message_id) as mine:
        if not mine:
            logger.info("outbox message %s is being sent by another run", message_id)
            return "busy"
        result = attempt(message_id, settings)
    if result.outcome != "retry":
        return result.outcome
    if self.request.is_eager:
        return "pending"  # in the web process: no sleeping here; `atelier mail flush` tries again
    countdown = get_exponential_backoff_interval(
        factor=settings.backoff, retries=result.attempts - 1, maximum=settings.backoff_max, full_jitter=True
    )
    # Raised after the lock is released: the retry is a new message, run whenever it is due.
    raise self.retry(exc=result.error, countdown=max(1, countdown))


@shared_task(name="mail.sweep_outbox", acks_late=True)
def sweep_outbox() -> int:
    """Enqueue again the pending messages nobody tried for a while (run by beat every few minutes)."""
    minutes = current_app.config["ATELIER_MAIL_SWEEP_MINUTES"]
    found = stale_messages(timedelta(minutes=minutes))
    if found:
        logger.warning("outbox sweep: sending %s stale pending message(s) again: %s", len(found), found)
    return requeue(found)


def stale_messages(older_than: timedelta) -> list[int]:
    """Pending messages nobody has tried to send for `older_than`: their enqueue was lost (a broker
    hiccup at commit time) or their worker died for good."""
    cutoff = utcnow() - older_than
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.created_at < cutoff,
            or_(OutboxMessage.last_attempt_at.is_(None), OutboxMessage.last_attempt_at < cutoff),
        )
        .order_by(OutboxMessage.id)
    )
    return list(db.session.scalars(query))


def requeue(message_ids: Iterable[int]) -> int:
    """Enqueue the sending of these messages now; how many were enqueued."""
    # The caller's read transaction ends first: an eager task writes through its own session.
    db.session.commit()
    count = 0
    for message_id in message_ids:
        send_now(send_outbox_message, message_id)
        count += 1
    return count
