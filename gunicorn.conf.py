"""gunicorn settings for `gunicorn -c gunicorn.conf.py wsgi:app` (scripts/run-prod uses them).

Workers default to 2 × cores + 1, capped: each one holds a database pool and a compiled catalog, so
more than a handful per machine costs memory without adding throughput.
"""

from __future__ import annotations

import os
from typing import Any

WORKERS_CAP = 8


def _workers() -> int:
    given = os.environ.get("ATELIER_WEB_WORKERS")
    if given:
        return max(1, int(given))
    cap = int(os.environ.get("ATELIER_WEB_WORKERS_MAX") or WORKERS_CAP)
    return max(1, min(2 * (os.cpu_count() or 1) + 1, cap))


bind = os.environ.get("ATELIER_BIND", "127.0.0.1:8000")
workers = _workers()
worker_class = "sync"
timeout = int(os.environ.get("ATELIER_WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5  # behind a load balancer that reuses connections
# The app writes one structured line per request itself (configurator.observability).
accesslog = None
errorlog = "-"
# No preload: every worker builds its own app, so no database connection is shared across a fork.
preload_app = False
# gunicorn's control socket sits in the home folder, shared by every instance of this user: not needed.
control_socket_disable = True

# What gunicorn reads of a request before the app sees it. The request line (method, URL, version) gets
# gunicorn's most: the longest preview URL fits in it (configurator.previews.services.MAX_ENCODED_DESIGN);
# headers keep gunicorn's defaults. Past them gunicorn refuses (414, 431) with a problem document
# (post_worker_init below); the app's own limits (body size, JSON depth...) answer the same way.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def post_worker_init(worker: Any) -> None:
    """gunicorn's own refusals are problem documents, like every answer of the app."""
    from configurator.serving import answer_refusals_as_problems

    answer_refusals_as_problems(worker.cfg)


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's live gauges must not be added up with the living ones' any more."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
