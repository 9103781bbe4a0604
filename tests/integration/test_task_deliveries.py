"""A task whose run kills its worker is given up after a bounded number of deliveries.

Real parts: PostgreSQL, Redis, SMTP and Celery worker subprocesses. The worker imports a test double of
"a crash in a C library" (tests/support/crash.py): the proof render, or the e-mail send, SIGKILLs the
process running it, on every run. Two ways a worker dies, as in production:

- prefork (Celery's default): the kernel kills the pool's child; the worker hands the message back at
  once and a new child takes it;
- solo: the whole worker dies; a supervisor starts another, and Redis hands it the message once the
  visibility timeout has passed.

Either way, after ATELIER_TASK_MAX_DELIVERIES deliveries the work is marked failed, the log says so,
the worker's metrics count it, and the broker never delivers the message again.
"""

from __future__ import annotations

import re
import signal
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from configurator.config import ConfigurationError, load_config
from configurator.deliveries import KEY_PREFIX, BoundedDeliveryTask, delivery_counter
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.mail.tasks import stale_messages
from configurator.orders.models import Order, OrderStatus
from configurator.proofs.models import Proof, ProofFailure
from configurator.proofs.services import orders_missing_proofs
from configurator.tasks import EXTENSION, TASK_MODULES
from tests.support.services import Redis, free_port
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for, wait_until
from tests.support.worker import (
    Worker,
    broker_state,
    flush_broker,
    mark_paid,
    place_order,
    wait_for_broker,
    worker_environment,
)

MAX_DELIVERIES = 3
VISIBILITY_TIMEOUT = 3  # seconds before Redis hands a dead worker's message to another
# celery_config scans for such messages every third of the timeout (at least every second): this many
# scans span a whole timeout, so a message still unacknowledged would have been handed out again.
SCANS_PER_VISIBILITY_TIMEOUT = VISIBILITY_TIMEOUT // max(1, VISIBILITY_TIMEOUT // 3) + 1
# A generous deadline for what workers do on a loaded machine (never a measure of how fast they are).
WAIT = 120.0
EXHAUSTED = "atelier_task_deliveries_exhausted_total"
KILLED_CHILD = re.compile(r"Process 'ForkPoolWorker-\d+' pid:\d+ exited with 'signal 9 \(SIGKILL\)'")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_config(pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer) -> dict[str, Any]:
    flush_broker(redis_server.url)
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url, **smtp.config()}


class CrashingWorkers:
    """Starts workers whose every call of one function kills the process making it, all sharing one
    metrics folder and address (as one worker restarted by its supervisor would)."""

    def __init__(
        self, config: dict[str, Any], redis_url: str, smtp: SmtpServer, folder: Path, workers: list[Worker]
    ) -> None:
        self.config = config
        self.redis_url = redis_url
        self.smtp = smtp
        self.folder = folder
        self.workers = workers
        self.metrics_port = free_port()
        self.metrics_folder = folder / "metrics"
        self.metrics_folder.mkdir()

    def start(self, crash_in: str, pool: str) -> Worker:
        environment = worker_environment(
            self.config["SQLALCHEMY_DATABASE_URI"],
            self.redis_url,
            ATELIER_MEDIA_ROOT=self.config["ATELIER_MEDIA_ROOT"],
            ATELIER_BROKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
            ATELIER_TASK_MAX_DELIVERIES=MAX_DELIVERIES,
            ATELIER_WORKER_METRICS_BIND=f"127.0.0.1:{self.metrics_port}",
            PROMETHEUS_MULTIPROC_DIR=str(self.metrics_folder),
            CRASH_IN=crash_in,
            **self.smtp.config(),
        )
        options = ["--include=tests.support.crash"]
        if pool == "prefork":
            options.append("--concurrency=1")
        worker = Worker(environment, self.folder, pool=pool, options=options).start(timeout=WAIT)
        self.workers.append(worker)
        return worker

    def metric(self, name: str, **labels: str) -> float:
        """One sample of what the workers counted, from the metrics endpoint of the one running."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(f"{name}{{{wanted}}}")
        )


@pytest.fixture
def crashing(
    pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer, workers: list[Worker], tmp_path: Path
) -> CrashingWorkers:
    return CrashingWorkers(pg_config, redis_server.url, smtp, tmp_path, workers)


def delivery_counts(redis_url: str) -> dict[str, int]:
    """The delivery counters in Redis: task id -> deliveries (of the first message of each task)."""
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [key.decode() for key in client.scan_iter(f"{KEY_PREFIX}*")]
        assert all(0 < client.ttl(key) <= 24 * 3600 for key in keys), "every counter expires"
        return {key[len(KEY_PREFIX) :].rsplit(":", 1)[0]: int(client.get(key) or 0) for key in keys}
    finally:
        client.close()


def restore_scans(redis_url: str) -> int:
    """How many scans for unacknowledged messages Redis has answered: the ZRANGE commands it ran (only
    kombu's scan of its index of unacknowledged messages sends one here)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.info("commandstats").get("cmdstat_zrange", {}).get("calls", 0))
    finally:
        client.close()


def task_id(output: str, task: str) -> str:
    [found] = set(re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", output))
    return found


def after_another_visibility_timeout(redis_url: str) -> None:
    """Return once Redis has scanned for unacknowledged messages over a whole visibility timeout."""
    first = restore_scans(redis_url)
    wait_until(
        lambda: restore_scans(redis_url) >= first + SCANS_PER_VISIBILITY_TIMEOUT,
        WAIT,
        what="scans for unacknowledged messages",
    )


def proof_failure(app: Flask, order_id: int) -> ProofFailure | None:
    with app.app_context():
        failure = db.session.get(ProofFailure, order_id)
        db.session.expunge_all()
        return failure


def died_or_settled(worker: Worker, app: Flask) -> Callable[[], bool]:
    """True once the worker has exited or the outbox message is no longer pending."""

    def settled() -> bool:
        return worker.exit_code() is not None or outbox_message(app).status != "pending"

    return settled


def outbox_message(app: Flask) -> OutboxMessage:
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        db.session.expunge_all()
        return message


# -- In-process ---------------------------------------------------------------------------------------


def test_every_task_is_acknowledged_late_and_bounded(app: Flask) -> None:
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)
    tasks = {
        name: task for name, task in app.extensions[EXTENSION].tasks.items() if not name.startswith("celery.")
    }
    assert {
        "mail.send_outbox_message",
        "proofs.render_proofs",
        "insights.aggregate",
        "uploads.collect_unused",
    } <= set(tasks)
    for name, task in tasks.items():
        assert isinstance(task, BoundedDeliveryTask), name
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name


def test_the_demo_counts_nothing_and_the_bound_is_a_positive_number(app: Flask) -> None:
    # The demo runs tasks in the web process: nothing is redelivered, there is no broker to count in
    assert delivery_counter(app) is None
    assert load_config({}, {"ATELIER_TASK_MAX_DELIVERIES": "7"})["ATELIER_TASK_MAX_DELIVERIES"] == 7
    assert load_config({}, {})["ATELIER_TASK_MAX_DELIVERIES"] == 5
    for bad in ("0", "-1", "many"):
        with pytest.raises(ConfigurationError, match="ATELIER_TASK_MAX_DELIVERIES"):
            load_config({}, {"ATELIER_TASK_MAX_DELIVERIES": bad})


# -- prefork: the kernel kills the child rendering the proofs ------------------------------------------


def test_proofs_whose_render_kills_the_worker_every_time_are_given_up_after_the_bound(
    pg_app: Flask, redis_server: Redis, crashing: CrashingWorkers, smtp: SmtpServer
) -> None:
    # Given a worker (prefork, like production) whose every proof render kills the child running it
    worker = crashing.start("configurator.proofs.services:_render", pool="prefork")
    order = place_order(pg_app)
    # When the order is paid (its confirmation and its proofs are queued)
    assert mark_paid(pg_app, order.id)
    # Then after the bound's deliveries the order's proofs are recorded as given up, with the reason
    failure = wait_for(lambda: proof_failure(pg_app, order.id), WAIT, what="the proofs given up")
    assert f"given up after {MAX_DELIVERIES} deliveries that never finished" in failure.reason
    # And the message is acknowledged: Redis holds nothing more to deliver
    wait_for_broker(redis_server.url, lambda state: state.empty, timeout=WAIT)
    # And each of those deliveries killed one child, and the next one was not run: the log says so
    output = worker.wait_for_log("its work is marked failed")
    assert len(KILLED_CHILD.findall(output)) == MAX_DELIVERIES
    proofs_id = task_id(output, "proofs.render_proofs")
    assert re.search(
        rf"ERROR.*task proofs\.render_proofs\[{proofs_id}\] given up after {MAX_DELIVERIES}", output
    )
    counted = delivery_counts(redis_server.url)
    assert counted[proofs_id] == MAX_DELIVERIES + 1
    # And the metrics count it (the confirmation went out as usual, and is not counted)
    exhausted = wait_for(
        lambda: crashing.metric(EXHAUSTED, task="proofs.render_proofs") or None,
        WAIT,
        what="the metric counted",
    )
    assert exhausted == 1
    assert crashing.metric(EXHAUSTED, task="mail.send_outbox_message") == 0
    assert crashing.metric("atelier_celery_tasks_total", outcome="failed", task="proofs.render_proofs") == 1
    smtp.handler.wait_for(1, timeout=WAIT)
    # And nothing is delivered again, across a whole visibility timeout of Redis' scans
    after_another_visibility_timeout(redis_server.url)
    assert broker_state(redis_server.url).empty
    assert delivery_counts(redis_server.url) == counted
    assert worker.output().count(f"Task proofs.render_proofs[{proofs_id}] received") == MAX_DELIVERIES + 1
    assert len(KILLED_CHILD.findall(worker.output())) == MAX_DELIVERIES
    # And the sweep leaves the order to a person; the order itself is as it was: paid, no proofs
    with pg_app.app_context():
        assert order.id not in orders_missing_proofs(timedelta(0))
        assert db.session.get_one(Order, order.id).status == OrderStatus.PAID
        assert db.session.scalars(select(Proof)).all() == []


# -- solo: the whole worker dies mid-send; a supervisor starts another ---------------------------------


def test_an_email_whose_send_kills_the_worker_every_time_is_marked_failed_after_the_bound(
    pg_app: Flask, redis_server: Redis, crashing: CrashingWorkers, smtp: SmtpServer
) -> None:
    # Given workers whose every e-mail send kills the worker itself, and a supervisor that starts a new
    # one whenever one dies (as systemd or Kubernetes would)
    order = place_order(pg_app)
    # When the order is paid
    assert mark_paid(pg_app, order.id)
    deaths: list[Worker] = []
    while outbox_message(pg_app).status == "pending":
        assert len(deaths) <= MAX_DELIVERIES, "the e-mail task kept coming back"
        worker = crashing.start("configurator.mail.tasks:deliver", pool="solo")
        wait_until(died_or_settled(worker, pg_app), WAIT, what="the worker died or the message left pending")
        if worker.exit_code() is not None:
            assert worker.exit_code() == -signal.SIGKILL, worker.output()
            deaths.append(worker)
    # Then the message is failed after the bound's deliveries, each of which killed a worker mid-send
    message = outbox_message(pg_app)
    assert len(deaths) == MAX_DELIVERIES
    assert message.status == "failed"
    assert message.attempts == MAX_DELIVERIES  # each delivery counted its attempt before the send
    assert message.last_error is not None
    assert f"given up after {MAX_DELIVERIES} deliveries that never finished" in message.last_error
    assert smtp.received == []
    # And the worker that got the next delivery did not send, logged it, counted it, and lives on
    output = worker.wait_for_log("its work is marked failed")
    mail_id = task_id(output, "mail.send_outbox_message")
    assert re.search(rf"ERROR.*task mail\.send_outbox_message\[{mail_id}\] given up after", output)
    assert (
        wait_for(
            lambda: crashing.metric(EXHAUSTED, task="mail.send_outbox_message") or None,
            WAIT,
            what="the metric counted",
        )
        == 1
    )
    # And nothing is delivered again, across a whole visibility timeout of Redis' scans
    wait_for_broker(redis_server.url, lambda state: state.empty, timeout=WAIT)
    counted = delivery_counts(redis_server.url)
    assert counted[mail_id] == MAX_DELIVERIES + 1
    after_another_visibility_timeout(redis_server.url)
    assert broker_state(redis_server.url).empty
    assert delivery_counts(redis_server.url) == counted
    assert worker.output().count(f"Task mail.send_outbox_message[{mail_id}] received") == 1
    assert worker.exit_code() is None
    # And the outbox sweep does not send it again
    with pg_app.app_context():
        assert stale_messages(timedelta(0)) == []
