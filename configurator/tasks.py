"""Celery, wired the Flask way: tasks run inside the app context of the app that created them.

The demo runs tasks eagerly in the web process (no broker); production and the integration tests use a
Redis broker and real workers (`celery -A configurator.worker worker`). Tasks are acknowledged after
they finish and re-queued when a worker dies mid-task, so every task must be idempotent.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

EXTENSION = "celery"


def celery_config(app: Flask) -> dict[str, Any]:
    """Celery's settings from the app's: a broker URL means real workers, none means eager."""
    broker = app.config.get("ATELIER_BROKER_URL") or None
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
        "broker_transport_options": {"visibility_timeout": 3600},
        **app.config.get("CELERY", {}),
    }


def celery_init_app(app: Flask) -> Celery:
    """Create the app's Celery instance; its tasks push this app's context."""

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app))
    celery.set_default()
    app.extensions[EXTENSION] = celery
    install_commit_hooks()
    return celery


def is_eager(app: Flask) -> bool:
    """Whether tasks run in the calling process (the demo)."""
    return bool(app.extensions[EXTENSION].conf.task_always_eager)


_PENDING = "atelier.pending_tasks"


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """Send `task(*args)` once the current transaction commits (never for a rolled-back one), so a
    worker never looks for rows that are not there yet."""
    from configurator.extensions import db

    db.session.info.setdefault(_PENDING, []).append((task, args))


def install_commit_hooks() -> None:
    """Dispatch the tasks queued in a session when it commits; forget them when it rolls back."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if getattr(install_commit_hooks, "installed", False):
        return

    @event.listens_for(Session, "after_commit")
    def _send(session: Session) -> None:
        for task, args in session.info.pop(_PENDING, []):
            task.delay(*args)

    @event.listens_for(Session, "after_rollback")
    def _drop(session: Session) -> None:
        session.info.pop(_PENDING, None)

    install_commit_hooks.installed = True  # type: ignore[attr-defined]
