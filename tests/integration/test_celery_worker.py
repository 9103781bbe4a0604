"""Tasks are sent after the commit, and a worker killed mid-task loses nothing and doubles nothing.

The fault test runs real parts: a worker subprocess on Redis and PostgreSQL, SIGKILLed while it waits
for a real SMTP server to answer; a second worker gets the task again once Redis's visibility timeout
has passed, and the e-mail arrives exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.orders.models import Order, OrderEvent, OrderStatus
from configurator.tasks import EXTENSION, enqueue_after_commit
from tests.support.services import Redis, free_port
from tests.support.smtp import SmtpServer
from tests.support.worker import (
    Worker,
    broker_state,
    flush_broker,
    mark_paid,
    place_order,
    wait_for_broker,
    worker_environment,
)

VISIBILITY_TIMEOUT = 3  # seconds before Redis hands a dead worker's message to another
# A generous deadline for what a worker does on a loaded machine (never a measure of how fast it is).
WAIT = 90.0


# -- Sent after the commit (eager, in-process) --------------------------------------------------------


@dataclass
class Reader:
    """A task that records the order name it reads, and the session it reads it with."""

    task: Any
    seen: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def reader(app: Flask) -> Reader:
    seen: list[tuple[str, int]] = []

    @app.extensions[EXTENSION].task(name="test.read_order", shared=False)
    def read_order(order_id: int) -> None:
        seen.append((db.session.get_one(Order, order_id).name, id(db.session())))

    return Reader(read_order, seen)


def test_a_task_runs_after_the_commit_with_a_session_of_its_own(app: Flask, reader: Reader) -> None:
    order = place_order(app)
    with app.app_context():
        # Given a change and a task queued in the same transaction
        db.session.execute(update(Order).where(Order.id == order.id).values(name="Grace Hopper"))
        enqueue_after_commit(reader.task, order.id)
        # Then nothing runs before the commit
        assert reader.seen == []
        db.session.commit()
        # And after it, the task sees the change, through another session than the committing one
        assert [name for name, _ in reader.seen] == ["Grace Hopper"]
        assert reader.seen[0][1] != id(db.session())


def test_a_rolled_back_transaction_sends_nothing(app: Flask, reader: Reader) -> None:
    order = place_order(app)
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order.id).values(name="Nobody"))
        enqueue_after_commit(reader.task, order.id)
        db.session.rollback()
        db.session.commit()  # a later, empty commit does not resurrect it
    assert reader.seen == []


def test_a_rolled_back_savepoint_drops_only_its_own_tasks(app: Flask, reader: Reader) -> None:
    order = place_order(app)
    with app.app_context():
        enqueue_after_commit(reader.task, order.id)
        savepoint = db.session.begin_nested()
        enqueue_after_commit(reader.task, order.id)
        savepoint.rollback()
        db.session.commit()
    assert len(reader.seen) == 1


def test_a_dead_broker_never_fails_a_committed_change(
    test_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from configurator import create_app

    # Given a shop whose broker does not answer
    app = create_app({**test_config, "ATELIER_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    order = place_order(app)
    # When an order is paid (its confirmation cannot be enqueued)
    with caplog.at_level(logging.ERROR, logger="configurator.tasks"):
        assert mark_paid(app, order.id)
    # Then the payment stands, the message waits in the outbox for the sweep, and the log says why
    with app.app_context():
        assert db.session.get_one(Order, order.id).status == OrderStatus.PAID
        [message] = db.session.scalars(select(OutboxMessage))
        assert message.status == "pending"
    assert any("could not enqueue mail.send_outbox_message" in r.getMessage() for r in caplog.records)


# -- A worker killed mid-task (PostgreSQL, Redis, SMTP, subprocesses) ----------------------------------


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_config(pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer) -> dict[str, Any]:
    flush_broker(redis_server.url)
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url, **smtp.config()}


def start(
    workers: list[Worker], pg_config: dict[str, Any], redis_url: str, smtp: SmtpServer, folder: Path
) -> Worker:
    environment = worker_environment(
        pg_config["SQLALCHEMY_DATABASE_URI"],
        redis_url,
        ATELIER_BROKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
        ATELIER_MEDIA_ROOT=pg_config["ATELIER_MEDIA_ROOT"],  # the order's proofs go to the test's folder
        **smtp.config(),
    )
    worker = Worker(environment, folder).start()
    workers.append(worker)
    return worker


def test_a_worker_killed_mid_send_hands_the_task_to_the_next_one(
    pg_app: Flask,
    pg_config: dict[str, Any],
    redis_server: Redis,
    smtp: SmtpServer,
    workers: list[Worker],
    tmp_path: Path,
) -> None:
    # Given a worker, and an SMTP server that will hold the next message without accepting it
    smtp.handler.hold_next()
    first = start(workers, pg_config, redis_server.url, smtp, tmp_path)
    order = place_order(pg_app)
    # When the order is paid and the worker is inside the send (the server has the whole message
    # and the worker waits for its answer), the worker is SIGKILLed
    assert mark_paid(pg_app, order.id)
    assert smtp.handler.entered.wait(WAIT), first.output()
    first.kill()
    smtp.handler.release.set()  # the held message is refused to a client that is gone
    # Then the attempt was on record before the server saw anything, and nothing was accepted
    with pg_app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("pending", 1)
    assert smtp.received == []
    # And the e-mail task is still the dead worker's in Redis: taken, never acknowledged (one message
    # at a time per worker, so the order's proofs task is done or still queued)
    assert broker_state(redis_server.url).unacknowledged == ["mail.send_outbox_message"]
    # When another worker starts
    second = start(workers, pg_config, redis_server.url, smtp, tmp_path)
    # Then Redis hands it the unacknowledged task once the visibility timeout has passed; it runs
    # once, and the e-mail arrives once
    [mail] = smtp.handler.wait_for(1, timeout=VISIBILITY_TIMEOUT + WAIT)
    # (the paid order's proofs task runs on the same workers: only the e-mail task's lines count)
    output = second.wait_for_log("'sent'", timeout=WAIT)
    assert output.count("Task mail.send_outbox_message[") == 2  # received, succeeded: one run
    assert order.number in mail.message["Subject"]
    with pg_app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("sent", 2)
        assert mail.message_id.startswith(f"<outbox.{message.id}.")
        # And the order is intact: paid once, one history entry for it
        assert db.session.get_one(Order, order.id).status == OrderStatus.PAID
        events = db.session.scalars(select(OrderEvent.to_status).where(OrderEvent.order_id == order.id))
        assert sorted(events) == ["paid", "pending"]
    # And once the workers are through (the proofs task may still be rendering on a busy machine), the
    # broker holds nothing more to deliver: no queued and no unacknowledged messages
    wait_for_broker(redis_server.url, lambda state: state.empty, timeout=WAIT)
    assert smtp.handler.held == 1
    assert len(smtp.received) == 1
