"""A bound on redeliveries: a task whose run kills its worker is given up, not delivered forever.

Tasks are acknowledged late and handed back when their worker dies (`configurator.tasks`). A run that
itself kills the worker (the kernel's OOM killer ending a render, a crash inside a C library) raises
no exception, so no retry limit ever sees it: the same message would come back again and again. So
before each run the shared Task base counts the deliveries of its message in the broker's Redis (one
key per task id and retry, expiring a day after the last delivery). Past `ATELIER_TASK_MAX_DELIVERIES`
the task does not run: its `on_deliveries_exhausted` handler marks its work failed (an outbox row, an
order's proofs), an error is logged, `atelier_task_deliveries_exhausted_total{task}` counts it, and the
message is rejected without requeueing, which acknowledges it: the broker forgets it.

Eager tasks (the demo, no broker) are never redelivered and are not counted. A broker that is not Redis
has nowhere to count in: its tasks run as often as they are delivered.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import redis
from celery import Task
from celery.exceptions import Reject
from flask import Flask, current_app

from configurator.observability import TASK_DELIVERIES_EXHAUSTED

EXTENSION = "atelier.deliveries"
KEY_PREFIX = "atelier:deliveries:"
# A key outlives the gap between two deliveries of its message (the visibility timeout, when the whole
# worker died) by far, and then goes: a message redelivered after longer than this starts again at one.
KEY_LIFETIME_SECONDS = 24 * 3600
REDIS_TIMEOUT_SECONDS = 5.0
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

logger = logging.getLogger(__name__)
_create_lock = threading.Lock()


class BoundedDeliveryTask(Task):
    """The base of every task (`configurator.tasks` wires it): its deliveries are counted and bounded."""

    def on_deliveries_exhausted(self, *args: Any, reason: str, **kwargs: Any) -> None:
        """Mark the work of a task given up (called with the task's arguments) so that nothing sends it
        again. Nothing here: a task whose work has a row of its own passes a function
        `(task, *its arguments, reason)` as the `on_deliveries_exhausted` option of its decorator."""


@dataclass(frozen=True)
class DeliveryCounter:
    """Counts the deliveries of task messages in Redis."""

    client: redis.Redis
    limit: int
    key_lifetime: int

    def count(self, task_id: str, retries: int) -> int:
        """Count one more delivery of this message; how many there have been, this one included. A retry
        is a new message (same task id, one more retry): its deliveries are counted afresh."""
        key = f"{KEY_PREFIX}{task_id}:{retries}"
        with self.client.pipeline(transaction=True) as pipe:  # MULTI: the count and its expiry together
            pipe.incr(key)
            pipe.expire(key, self.key_lifetime)
            deliveries, _ = pipe.execute()
        return int(deliveries)


def delivery_counter(app: Flask) -> DeliveryCounter | None:
    """The app's counter, made on first use; None when tasks run eagerly or the broker is not Redis."""
    if EXTENSION not in app.extensions:
        with _create_lock:
            if EXTENSION not in app.extensions:
                app.extensions[EXTENSION] = _make_counter(app)
    counter: DeliveryCounter | None = app.extensions[EXTENSION]
    return counter


def _make_counter(app: Flask) -> DeliveryCounter | None:
    broker = str(app.config.get("ATELIER_BROKER_URL") or "")
    if not broker.startswith(REDIS_SCHEMES):
        return None
    client = redis.Redis.from_url(
        broker, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    visibility = int(app.config["ATELIER_BROKER_VISIBILITY_TIMEOUT"])
    lifetime = max(KEY_LIFETIME_SECONDS, 2 * visibility)
    return DeliveryCounter(client, int(app.config["ATELIER_TASK_MAX_DELIVERIES"]), lifetime)


def admit(task: BoundedDeliveryTask, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Count this delivery of the running task's message. When it is one past the bound, mark the task's
    work failed, log and count it, and raise `Reject` (no requeue): the worker acknowledges the message
    and the task does not run. Runs in the task's app context, before the task."""
    request = task.request
    if request.is_eager or not request.id or not request.delivery_info or not task.acks_late:
        return  # run in the calling process, or called directly by another task: not a delivery
    counter = delivery_counter(current_app)
    if counter is None:
        return
    try:
        deliveries = counter.count(request.id, request.retries or 0)
    except redis.RedisError as error:
        # The bound is a safety net: a broker blip must not stop the work it delivered.
        logger.warning(
            "could not count this delivery of %s[%s]; running it: %s", task.name, request.id, error
        )
        return
    if deliveries <= counter.limit:
        return
    reason = (
        f"given up after {counter.limit} deliveries that never finished "
        "(the worker running each one died or lost the broker before it ended)"
    )
    logger.error(
        "task %s[%s] %s; its work is marked failed",
        task.name,
        request.id,
        reason,
        extra={"deliveries": deliveries},
    )
    TASK_DELIVERIES_EXHAUSTED.labels(task.name).inc()
    task.on_deliveries_exhausted(*args, reason=reason, **kwargs)
    raise Reject(reason, requeue=False)
