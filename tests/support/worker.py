"""A real Celery worker in a subprocess (so a test can SIGKILL it), and orders to give it work.

The worker is `python -m celery -A configurator.worker worker --pool=solo`: the app is built from
ATELIER_* variables exactly as in production, on the test's PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from flask import Flask

REPO = Path(__file__).resolve().parents[2]
TEST_CATALOG = REPO / "tests" / "fixtures" / "catalog"
QUEUE = "celery"
# Deadlines of waits, not bounds on speed: a worker starts in about a second on a quiet machine and in
# ten or more on a busy two-core one (load 8); its first task loads the catalog. Generous, since a wait
# that succeeds returns at once.
START_WITHIN = 120.0
LOGGED_WITHIN = 60.0
_names = count(1)


def worker_environment(database_url: str, broker_url: str, **settings: Any) -> dict[str, str]:
    """The environment of a worker process: this one's, without a developer's ATELIER_* variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    environment.update(
        {
            "ATELIER_DATABASE_URL": database_url,
            "ATELIER_BROKER_URL": broker_url,
            "ATELIER_CATALOG": str(TEST_CATALOG),
            "ATELIER_AUTO_SETUP": "0",  # the test's app has migrated and published already
            "ATELIER_MAIL_RETRY_BACKOFF": "1",
            "ATELIER_MAIL_RETRY_BACKOFF_MAX": "2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    environment.update({key: str(value) for key, value in settings.items()})
    return environment


class Worker:
    """One worker process; its output goes to a log file the test can wait on."""

    def __init__(
        self,
        environment: dict[str, str],
        log_folder: Path,
        *,
        pool: str = "solo",
        options: Sequence[str] = (),
    ) -> None:
        """`pool=solo` runs tasks in the worker process itself (SIGKILL one to kill the worker); with
        `prefork` they run in a child the worker replaces when it dies. `options` go on the command line."""
        self.environment = environment
        self.pool = pool
        self.options = list(options)
        self.name = f"test-worker-{next(_names)}"
        self.log = log_folder / f"{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = START_WITHIN) -> Worker:
        """Start it and wait until it consumes (about a second on a quiet machine)."""
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "configurator.worker",
                    "worker",
                    f"--pool={self.pool}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    "-Q",
                    QUEUE,
                    "-n",
                    f"{self.name}@%h",
                    *self.options,
                ],
                cwd=REPO,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.wait_for_log(" ready.", timeout)
        return self

    def exit_code(self) -> int | None:
        """None while it runs; then its exit code (minus the signal's number if a signal ended it)."""
        assert self.process is not None
        return self.process.poll()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_log(self, text: str, timeout: float = LOGGED_WITHIN, *, times: int = 1) -> str:
        """Wait until `text` appears `times` times in the worker's output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.output()
            if output.count(text) >= times:
                return output
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{output}")
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in the worker's output after {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no goodbye to the broker."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(frozen=True)
class BrokerState:
    """What Redis holds for the workers: messages waiting in the queue, and messages a worker took and
    has not acknowledged (by task name; a dead worker's stay there until the visibility timeout)."""

    queued: list[str]
    unacknowledged: list[str]

    @property
    def empty(self) -> bool:
        return not self.queued and not self.unacknowledged


def broker_state(broker_url: str) -> BrokerState:
    """The task names of the queued and of the unacknowledged messages, read from Redis as kombu
    stores them (a list per queue; a hash of [message, exchange, routing key] for the unacknowledged)."""
    import json

    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        queued = [json.loads(raw)["headers"]["task"] for raw in client.lrange(QUEUE, 0, -1)]
        taken = [json.loads(raw)[0]["headers"]["task"] for raw in client.hvals("unacked")]
    finally:
        client.close()
    return BrokerState(sorted(queued), sorted(taken))


def wait_for_broker(
    broker_url: str, until: Callable[[BrokerState], bool], timeout: float = 60.0
) -> BrokerState:
    """The broker's state once `until` holds for it; fails with the last state seen after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        state = broker_state(broker_url)
        if until(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"the broker did not reach the state waited for in {timeout} s: {state}")
        time.sleep(0.1)


def flush_broker(broker_url: str) -> None:
    """Forget queued and unacknowledged messages of earlier tests (the Redis server lives all session)."""
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass(frozen=True)
class PlacedOrder:
    id: int
    number: str
    token: str


def place_order(app: Flask, email: str = "ada@example.com") -> PlacedOrder:
    """A pending order for two mugs, made through the services as the shop makes it (committed)."""
    from configurator.carts import services as checkout
    from configurator.designs import services as designs
    from configurator.extensions import db
    from configurator.orders import services as orders

    with app.app_context():
        design = designs.save("mug", {"colour": "ink", "engraving": "Ada", "gift_box": True})
        cart = checkout.create("EUR")
        checkout.add_line(cart, design, 2)
        checkout.set_contact(
            cart,
            email=email,
            name="Ada Lovelace",
            address={"country": "FR", "postal_code": "75001", "city": "Paris", "line1": "1 rue de Rivoli"},
        )
        priced = checkout.price(cart)
        checkout.ready_for_checkout(priced, "en")
        order = orders.create(priced, "offline")
        db.session.commit()
        return PlacedOrder(order.id, order.number, order.token)


def mark_paid(app: Flask, order_id: int) -> bool:
    from configurator.orders import services as orders

    with app.app_context():
        return orders.mark_paid(order_id, actor="test")
