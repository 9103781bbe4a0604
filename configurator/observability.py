"""Logs, request ids and Prometheus metrics.

- Every request gets an id: the caller's `X-Request-ID` when it is a sane token, else a new one. It is
  echoed in the response, stamped on every log record written while the request runs, and carried to
  the Celery tasks the request enqueues (a message header), whose log records carry it too.
- `ATELIER_LOG_FORMAT=json` writes one JSON object per line (the default in production); `text` keeps
  plain lines. Each request is logged once by `configurator.requests`, with its status and duration.
- `/metrics` answers in Prometheus' text format. Under gunicorn, with `PROMETHEUS_MULTIPROC_DIR` set,
  it adds up what every worker process has counted. `ATELIER_METRICS_TOKEN` makes it ask for that
  bearer token.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import struct
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import pythonjsonlogger.json
from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

from configurator.errors import AtelierError, ErrorCode

REQUEST_ID_HEADER = "X-Request-ID"
# A message header of our own: Celery hands unknown headers to the task as request attributes.
TASK_HEADER = "atelier_request_id"
# Ids from outside are echoed into logs and headers: only short tokens without spaces or quotes.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
LOG_FORMATS = ("json", "text")
HANDLER_NAME = "atelier"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"

request_logger = logging.getLogger("configurator.requests")

_request_id: ContextVar[str | None] = ContextVar("atelier_request_id", default=None)
_task: ContextVar[tuple[str, str] | None] = ContextVar("atelier_task", default=None)
_log_format: str | None = None  # what this process was configured with (read by the Celery signals)

# Seconds; configure answers usually take milliseconds, previews tens of them.
_FAST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
HTTP_REQUESTS = Counter("atelier_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
HTTP_LATENCY = Histogram(
    "atelier_http_request_duration_seconds", "Time to answer a request", ["endpoint", "method"]
)
CONFIGURE_SECONDS = Histogram(
    "atelier_configure_engine_seconds",
    "Rules engine time of one configure answer (domains, completion, validation)",
    buckets=_FAST_BUCKETS,
)
PREVIEW_RENDER_SECONDS = Histogram(
    "atelier_preview_render_seconds", "Time to draw one preview image (cache misses)", ["format"]
)
ANSWER_CACHE = Counter(
    "atelier_answer_cache", "Configure answers served from the per-process cache or computed", ["outcome"]
)
TASK_OUTCOMES = Counter("atelier_celery_tasks", "Celery tasks run, by outcome", ["task", "outcome"])
TASK_DELIVERIES_EXHAUSTED = Counter(
    "atelier_task_deliveries_exhausted",
    "Task messages given up, not run, after ATELIER_TASK_MAX_DELIVERIES deliveries that never finished",
    ["task"],
)


def register_observability(app: Flask) -> None:
    """Request ids, request logs and metrics for this app; logging as ATELIER_LOG_FORMAT says."""
    configure_logging(app.config.get("ATELIER_LOG_FORMAT"), app.config.get("ATELIER_LOG_LEVEL", "INFO"))
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])


# Requests -------------------------------------------------------------------------------------------


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a sane token, else a fresh one.

    >>> request_id_from("checkout-42")
    'checkout-42'
    >>> len(request_id_from("no spaces or quotes, please")), len(request_id_from(None))
    (32, 32)
    """
    if header and _VALID_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, if any."""
    return _request_id.get()


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_id_token = _request_id.set(g.request_id)


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a before_request hook ahead of ours answered; still say which request
        request_id = request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
    # The route template, not the path: one series per view, whatever ids the paths carry.
    endpoint = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    HTTP_REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    HTTP_LATENCY.labels(endpoint, request.method).observe(elapsed)
    request_logger.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 2),
        },
    )
    return response


def _end_request(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        _request_id.reset(token)


# Metrics --------------------------------------------------------------------------------------------


class MetricsUnauthorized(AtelierError):
    status = 401
    code = ErrorCode.UNAUTHORIZED
    title = "Authentication required"

    def __init__(self) -> None:
        super().__init__(
            "/metrics needs the bearer token of ATELIER_METRICS_TOKEN.",
            headers={"WWW-Authenticate": 'Bearer realm="atelier-metrics"'},
        )


class _SettledMultiProcessCollector:
    """The counts of every process (prometheus_client's MultiProcessCollector), read again when a
    process is creating its file at that instant: prometheus_client creates it empty, then sizes it,
    and a read in between fails on the empty file (`struct.error`). A scrape must not answer 500
    because a worker process was just starting."""

    ATTEMPTS = 5

    def __init__(self) -> None:
        self.files = multiprocess.MultiProcessCollector(None)  # type: ignore[no-untyped-call]

    def collect(self) -> list[Any]:
        for attempt in range(self.ATTEMPTS):
            try:
                return list(self.files.collect())  # type: ignore[no-untyped-call]
            except struct.error:
                if attempt == self.ATTEMPTS - 1:
                    raise
                time.sleep(0.01)  # the creating process sizes its file right after
        return []


def multiprocess_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(_SettledMultiProcessCollector())
    return registry


def metrics_view() -> Response:
    """Prometheus' text format; every gunicorn worker's counts when running multiprocess."""
    token = current_app.config.get("ATELIER_METRICS_TOKEN") or ""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise MetricsUnauthorized()
    registry = multiprocess_registry() if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else REGISTRY
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def serve_worker_metrics(host: str, port: int) -> None:
    """Serve what this worker's processes count (PROMETHEUS_MULTIPROC_DIR) at http://host:port/metrics,
    from a thread of the worker's main process: a worker machine has no app server to scrape."""
    start_http_server(port, addr=host, registry=multiprocess_registry())
    logging.getLogger(__name__).info("worker metrics at http://%s:%d/metrics", host, port)


@contextmanager
def timed(histogram: Histogram) -> Iterator[None]:
    """Observe the time the block takes (also when it raises)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        histogram.observe(time.perf_counter() - began)


# Logging --------------------------------------------------------------------------------------------


class ContextFilter(logging.Filter):
    """Stamp each record with the request id and task of the code that wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        task = _task.get()
        if task is not None and not hasattr(record, "task_name"):
            record.task_name, record.task_id = task
        return True


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object per line (python-json-logger): time (UTC, milliseconds), level, logger, message,
    then whatever context the record has; `request_id` is null outside a request."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
                "stack_info": "stack",
            },
            json_default=str,
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        if log_data.get("request_id") == "-":
            log_data["request_id"] = None
        return log_data

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message: dict[str, Any]
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message)


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record arrives (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(log_format: str | None, level: str | int = "INFO") -> None:
    """Send the root logger's records to stderr in this format, through one handler per process
    (later calls adjust it). Plain text where logging is set up already (`atelier run`, test runners)
    leaves it as it is."""
    global _log_format
    if not log_format:
        return
    _log_format = log_format
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.name == HANDLER_NAME), None)
    if handler is None:
        if log_format == "text" and root.handlers:
            return
        handler = StderrHandler()
        handler.name = HANDLER_NAME
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
        root.setLevel(level)
    handler.setFormatter(formatter_for(log_format))


def remove_log_handler() -> None:
    """Take our handler off the root logger (tests that turned JSON logs on)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(handler)


# Celery ---------------------------------------------------------------------------------------------


def install_task_signals() -> None:
    """Carry request ids into tasks, put tasks in the log context, and count outcomes (once a process:
    Celery's signals are global)."""
    if getattr(install_task_signals, "installed", False):
        return
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _send_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
        request_id = _request_id.get()
        if headers is not None and request_id:
            headers[TASK_HEADER] = request_id

    @signals.task_prerun.connect(weak=False)
    def _enter_task(task_id: str = "", task: Any = None, **_: Any) -> None:
        # An eager task runs inside the request: without a header it keeps the request's id.
        request_id = getattr(task.request, TASK_HEADER, None) or _request_id.get()
        task.request.atelier_tokens = (_request_id.set(request_id), _task.set((task.name, task_id)))

    @signals.task_postrun.connect(weak=False)
    def _leave_task(task: Any = None, **_: Any) -> None:
        tokens = getattr(task.request, "atelier_tokens", None)
        if tokens is not None:
            _request_id.reset(tokens[0])
            _task.reset(tokens[1])
            task.request.atelier_tokens = None

    @signals.task_success.connect(weak=False)
    def _succeeded(sender: Any = None, **_: Any) -> None:
        TASK_OUTCOMES.labels(getattr(sender, "name", "?"), "succeeded").inc()

    @signals.task_failure.connect(weak=False)
    def _failed(sender: Any = None, **_: Any) -> None:
        TASK_OUTCOMES.labels(getattr(sender, "name", "?"), "failed").inc()

    @signals.task_retry.connect(weak=False)
    def _retried(sender: Any = None, **_: Any) -> None:
        TASK_OUTCOMES.labels(getattr(sender, "name", "?"), "retried").inc()

    @signals.worker_init.connect(weak=False)
    def _serve_worker_metrics(sender: Any = None, **_: Any) -> None:
        bind = sender.app.conf.get("atelier_worker_metrics_bind") if sender is not None else None
        if bind:
            serve_worker_metrics(*bind)

    @signals.after_setup_logger.connect(weak=False)
    @signals.after_setup_task_logger.connect(weak=False)
    def _worker_logs(logger: logging.Logger | None = None, **_: Any) -> None:
        # A worker replaces the root handlers with its own: give them our context, and JSON when asked
        # (plain text keeps Celery's own lines).
        if logger is None:
            return
        for handler in logger.handlers:
            handler.addFilter(ContextFilter())
            if _log_format == "json":
                handler.setFormatter(JsonFormatter())

    install_task_signals.installed = True  # type: ignore[attr-defined]
