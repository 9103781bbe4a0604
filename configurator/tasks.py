"""Celery, wired the Flask way: tasks run inside the app context of the app that created them.

The demo runs tasks eagerly in the web process (no broker); production and the integration tests use a
Redis broker and real workers (`celery -A configurator.worker worker`). Tasks are acknowledged after
they finish and re-queued when a worker dies mid-task, so every task must be idempotent; a task whose
runs keep killing their worker is given up after a few deliveries (`configurator.deliveries`).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from celery import Celery
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from configurator.deliveries import BoundedDeliveryTask, admit
from configurator.observability import install_task_signals

EXTENSION = "celery"
# Modules that define tasks: a worker imports them at start, whatever it was asked to run first.
TASK_MODULES = (
    "configurator.mail.tasks",
    "configurator.proofs.tasks",
    "configurator.insights.tasks",
    "configurator.idempotency",
    "configurator.uploads.tasks",
    "configurator.previews.tasks",
    "configurator.community.tasks",
)
# The sweep that sends again what a lost enqueue left behind (see configurator.mail.tasks).
MAIL_SWEEP_EVERY_SECONDS = 300.0

logger = logging.getLogger(__name__)


def celery_config(app: Flask) -> dict[str, Any]:
    """Celery's settings from the app's: a broker URL means real workers, none means eager."""
    broker = app.config.get("ATELIER_BROKER_URL") or None
    visibility = int(app.config["ATELIER_BROKER_VISIBILITY_TIMEOUT"])
    return {
        "broker_url": broker or "memory://",
        "task_always_eager": broker is None,
        "task_eager_propagates": False,
        "task_ignore_result": True,
        # At-least-once: a task is acknowledged when done, and a worker killed mid-task hands it back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # A message a dead worker took is handed out again this long after it was delivered.
            "visibility_timeout": visibility,
            # Look for such messages often enough that the timeout, not the scan, sets the delay.
            "unacked_restore_interval": max(1, min(60, visibility // 3)),
            "unacked_restore_throttle": 1,
        },
        "include": list(TASK_MODULES),
        "beat_schedule": {
            "mail-sweep": {"task": "mail.sweep_outbox", "schedule": MAIL_SWEEP_EVERY_SECONDS},
            "insights-recent": {"task": "insights.aggregate_recent", "schedule": 3600.0},  # today, yesterday
            "proofs-sweep": {"task": "proofs.sweep", "schedule": 600.0},
            "idempotency-purge": {"task": "idempotency.purge_expired", "schedule": 3600.0},
            "uploads-collect": {"task": "uploads.collect_unused", "schedule": 86400.0},
            "previews-sweep": {"task": "previews.sweep", "schedule": 600.0},
            "campaigns-close": {"task": "community.close_due", "schedule": 60.0},
        },
        # Read by configurator.observability when a worker starts (not a Celery setting).
        "atelier_worker_metrics_bind": app.config.get("ATELIER_WORKER_METRICS_BIND") or None,
        **app.config.get("CELERY", {}),
    }


def celery_init_app(app: Flask) -> Celery:
    """Create the app's Celery instance; its tasks push this app's context."""

    class FlaskTask(BoundedDeliveryTask):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # A new app context means a new database session, even when an eager task runs inside
            # a request: the task never shares (or commits) its caller's session.
            with app.app_context():
                admit(self, args, kwargs)  # raises Reject, and the task does not run, past the bound
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app))
    celery.set_default()
    for module in TASK_MODULES:  # every app knows every task by name, as a worker does
        importlib.import_module(module)
    app.extensions[EXTENSION] = celery
    install_commit_hooks()
    install_task_signals()
    return celery


def is_eager(app: Flask) -> bool:
    """Whether tasks run in the calling process (the demo)."""
    return bool(app.extensions[EXTENSION].conf.task_always_eager)


_PENDING = "atelier.pending_tasks"
_COMMITTED = "atelier.committed"


@dataclass(frozen=True)
class _Pending:
    transaction: SessionTransaction  # the innermost one when enqueued: a savepoint rollback drops it
    celery: Celery
    name: str
    args: tuple[Any, ...]


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """Send `task(*args)` once the current transaction commits (never for a rolled-back one), so a
    worker never looks for rows that are not there yet.

    The task is sent through the Celery app of the current Flask app (tests build several apps in one
    process). In eager mode it runs in this process, after the transaction has ended, with its own
    session."""
    from configurator.extensions import db

    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    pending = _Pending(transaction, current_app.extensions[EXTENSION], task.name, args)
    session.info.setdefault(_PENDING, []).append(pending)


def send_now(task: Any, *args: Any) -> None:
    """Send `task(*args)` at once through the current Flask app's Celery (for callers with nothing
    to commit first, such as the outbox sweep)."""
    current_app.extensions[EXTENSION].tasks[task.name].apply_async(args)


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def install_commit_hooks() -> None:
    """Dispatch the tasks queued in a session once its transaction has committed and ended; forget
    those queued in a transaction or savepoint that rolls back."""
    if getattr(install_commit_hooks, "installed", False):
        return

    @event.listens_for(Session, "after_soft_rollback")
    def _drop(session: Session, previous: SessionTransaction) -> None:
        # Fires for savepoints too: only the tasks queued inside the rolled-back one go.
        pending = session.info.get(_PENDING)
        if pending:
            session.info[_PENDING] = [p for p in pending if not _within(p.transaction, previous)]

    @event.listens_for(Session, "after_commit")
    def _committed(session: Session) -> None:
        session.info[_COMMITTED] = True  # only the outermost transaction fires this

    @event.listens_for(Session, "after_transaction_end")
    def _send(session: Session, transaction: SessionTransaction) -> None:
        # After the end, not in after_commit: the connection is back in the pool, so an eager task
        # (which opens a session of its own) never waits on the caller's locks.
        if transaction.parent is not None:
            return
        committed = session.info.pop(_COMMITTED, False)
        pending = session.info.pop(_PENDING, [])
        if committed:
            for item in pending:
                _dispatch(item)

    install_commit_hooks.installed = True  # type: ignore[attr-defined]


def _dispatch(item: _Pending) -> None:
    """Send one task. A broker that does not answer must not turn a committed change into an error
    for the caller: the row the task is about is saved, and a sweep sends it later."""
    try:
        item.celery.tasks[item.name].apply_async(item.args)
    except Exception:  # noqa: BLE001
        logger.exception("could not enqueue %s%r; its periodic sweep will pick it up", item.name, item.args)


@contextmanager
def exclusive(space: int, key: int) -> Iterator[bool]:
    """Whether this run may work on (space, key): False while another run holds it.

    On PostgreSQL a transaction-level advisory lock on a connection of its own, held for the whole
    work: no row stays locked and no write transaction stays open meanwhile, and the lock goes away
    with the connection if the worker is killed. SQLite (the demo) runs one process."""
    from sqlalchemy import text

    from configurator.extensions import db

    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as guard:
        taken = guard.scalar(
            text("SELECT pg_try_advisory_xact_lock(:space, :key)"), {"space": space, "key": key}
        )
        yield bool(taken)
        guard.rollback()  # ends the guard's transaction, and with it the lock
