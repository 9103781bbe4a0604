"""Logs, request ids and metrics, and the production rehearsal's refusal to start half-configured."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app, observability
from configurator.config import load_config
from configurator.errors import ConfigurationError
from scripts import run_prod
from tests.support.checkout import ready_cart
from tests.support.services import Redis, free_port, free_ports_below_ephemeral_range
from tests.support.waiting import wait_until
from tests.support.worker import Worker, flush_broker, worker_environment

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "catalog"


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def json_logs() -> Iterator[None]:
    """JSON logs for the app the test builds; the root logger is given back as it was."""
    yield
    observability.remove_log_handler()


@pytest.fixture
def demo(test_config: dict[str, Any]) -> Flask:
    return create_app({**test_config, "ATELIER_CATALOG": str(DEMO)})


# -- Request ids and JSON logs ------------------------------------------------------------------------


def test_a_request_is_logged_as_one_json_line_with_its_id(
    test_config: dict[str, Any], json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an app logging JSON
    app = create_app({**test_config, "ATELIER_LOG_FORMAT": "json"})
    capsys.readouterr()
    # When a request comes with an id
    response = app.test_client().get("/api/v1/products", headers={"X-Request-ID": "trace-7f3a"})
    # Then the id is echoed, and the request's log line is one JSON object that carries it
    assert response.headers["X-Request-ID"] == "trace-7f3a"
    lines = [e for e in json_lines(capsys.readouterr().err) if e["logger"] == "configurator.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "method", "path", "status"}
    assert line["request_id"] == "trace-7f3a"
    assert (line["level"], line["method"], line["path"], line["status"]) == (
        "INFO",
        "GET",
        "/api/v1/products",
        200,
    )
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")


@pytest.mark.parametrize("given", [None, "", "has spaces", 'quote"d', "x" * 200, "ünïcode"])
def test_a_missing_or_unsafe_request_id_is_replaced(client: FlaskClient, given: str | None) -> None:
    headers = {} if given is None else {"X-Request-ID": given}
    echoed = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert echoed != given
    assert len(echoed) == 32
    assert int(echoed, 16) >= 0


def test_every_answer_carries_an_id_even_an_error(client: FlaskClient) -> None:
    response = client.get("/api/v1/products/no-such-product", headers={"X-Request-ID": "abc.123"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "abc.123"


def test_the_demo_logs_text_and_production_json_unless_told() -> None:
    stripe = {
        "ATELIER_STRIPE_SECRET_KEY": "sk_test_x",
        "ATELIER_STRIPE_PUBLISHABLE_KEY": "pk_test_x",
        "ATELIER_STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    production = {"ATELIER_MODE": "production", "ATELIER_SECRET_KEY": "k" * 40, **stripe}
    production["ATELIER_DATABASE_URL"] = "postgresql+psycopg://a@127.0.0.1/a"
    assert load_config({})["ATELIER_LOG_FORMAT"] == "text"
    assert load_config(production)["ATELIER_LOG_FORMAT"] == "json"
    assert load_config({**production, "ATELIER_LOG_FORMAT": "TEXT"})["ATELIER_LOG_FORMAT"] == "text"
    with pytest.raises(ConfigurationError, match="ATELIER_LOG_FORMAT"):
        load_config({"ATELIER_LOG_FORMAT": "xml"})


def test_production_takes_offline_payments_only_when_told_by_name(caplog: pytest.LogCaptureFixture) -> None:
    production = {
        "ATELIER_MODE": "production",
        "ATELIER_SECRET_KEY": "k" * 40,
        "ATELIER_DATABASE_URL": "postgresql+psycopg://a@127.0.0.1/a",
        "ATELIER_PAYMENTS": "offline",
    }
    with pytest.raises(ConfigurationError, match="real payments"):
        load_config(production)
    with pytest.raises(ConfigurationError, match="true or false"):
        load_config({**production, "ATELIER_ALLOW_OFFLINE_PAYMENTS": "maybe"})
    config = load_config({**production, "ATELIER_ALLOW_OFFLINE_PAYMENTS": "1"})
    assert config["ATELIER_PAYMENTS"] == "offline"
    assert "WITHOUT taking money" in caplog.text


# -- Into the tasks -----------------------------------------------------------------------------------


def pay(app: Flask, request_id: str | None = None) -> None:
    """Check a cart out and pay (the offline test payment) through the API: the paid order's
    confirmation e-mail is a task."""
    client = app.test_client()
    order = client.post(f"/api/v1/carts/{ready_cart(app)}/checkout", json={}).get_json()["order"]
    headers = {"X-Request-ID": request_id} if request_id else {}
    response = client.post(f"/api/v1/orders/{order['token']}/complete", headers=headers)
    assert response.status_code == 200, response.get_json()


def test_an_eager_task_logs_with_the_request_id_of_the_request_that_sent_it(
    test_config: dict[str, Any], json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the demo (tasks run in-process) logging JSON
    app = create_app({**test_config, "ATELIER_LOG_FORMAT": "json"})
    capsys.readouterr()
    # When an order is paid through a request with an id
    pay(app, "pay-eager-1")
    # Then the confirmation e-mail task logs with that id, its name and its task id
    task_lines = [e for e in json_lines(capsys.readouterr().err) if e.get("task_name")]
    assert task_lines, "the e-mail task logged nothing"
    assert {e["request_id"] for e in task_lines} == {"pay-eager-1"}
    assert {e["task_name"] for e in task_lines} >= {"mail.send_outbox_message"}
    assert all(e["task_id"] for e in task_lines)


@pytest.fixture
def broker_config(pg_config: dict[str, Any], redis_server: Redis) -> dict[str, Any]:
    flush_broker(redis_server.url)
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url}


def test_a_worker_logs_the_task_with_the_request_id_of_the_request_that_sent_it(
    broker_config: dict[str, Any], redis_server: Redis, tmp_path: Path
) -> None:
    # Given a real worker logging JSON
    pg_app = create_app(broker_config)
    try:
        environment = worker_environment(
            broker_config["SQLALCHEMY_DATABASE_URI"], redis_server.url, ATELIER_LOG_FORMAT="json"
        )
        worker = Worker(environment, tmp_path).start()
        try:
            # When an order is paid through a request with an id
            pay(pg_app, "pay-worker-1")
            # Then the worker's lines about that task carry the request's id (it crossed Redis)
            worker.wait_for_log('"request_id": "pay-worker-1"')
            output = worker.wait_for_log("mail.send_outbox_message")
        finally:
            worker.stop()
    finally:
        from tests.conftest import empty_database

        empty_database(pg_app)
    mine = [e for e in json_lines(output) if e.get("request_id") == "pay-worker-1"]
    assert {e["task_name"] for e in mine} == {"mail.send_outbox_message"}
    assert all(e["task_id"] for e in mine)


# -- Metrics ------------------------------------------------------------------------------------------


def sample(text: str, prefix: str) -> float:
    """The sum of the samples whose line starts with `prefix` (name and some labels)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def test_metrics_count_requests_engine_time_renders_and_tasks(demo: Flask) -> None:
    client = demo.test_client()
    before = client.get("/metrics").get_data(as_text=True)
    # When a shopper configures a mug and looks at its preview
    answer = client.post("/api/v1/products/engraved-mug/configure", json={"picks": {"colour": "sage"}})
    assert answer.status_code == 200
    assert client.get(answer.get_json()["preview"]["url"], headers={"Accept": "image/png"}).status_code == 200
    # Then /metrics has counted each, in Prometheus' text format
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    after = response.get_data(as_text=True)
    configure = (
        'atelier_http_requests_total{endpoint="/api/v1/products/<slug>/configure",method="POST",status="200"}'
    )
    assert sample(after, configure) == sample(before, configure) + 1
    assert "# TYPE atelier_http_request_duration_seconds histogram" in after
    assert sample(after, "atelier_configure_engine_seconds_count") == (
        sample(before, "atelier_configure_engine_seconds_count") + 1
    )
    assert sample(after, 'atelier_preview_render_seconds_count{format="png"}') == (
        sample(before, 'atelier_preview_render_seconds_count{format="png"}') + 1
    )
    assert 'atelier_preview_render_seconds_bucket{format="png",le="0.1"}' in after


def test_task_outcomes_are_counted(app: Flask) -> None:
    client = app.test_client()
    name = 'atelier_celery_tasks_total{outcome="succeeded",task="mail.send_outbox_message"}'
    before = sample(client.get("/metrics").get_data(as_text=True), name)
    pay(app)
    assert sample(client.get("/metrics").get_data(as_text=True), name) == before + 1


def test_metrics_can_ask_for_a_bearer_token(test_config: dict[str, Any]) -> None:
    client = create_app({**test_config, "ATELIER_METRICS_TOKEN": "scrape-me"}).test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Basic scrape-me"}).status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert allowed.status_code == 200
    assert "atelier_http_requests_total" in allowed.get_data(as_text=True)


def test_metrics_are_not_offered_to_partner_sites(client: FlaskClient) -> None:
    response = client.get("/metrics", headers={"Origin": "https://partner.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_metrics_are_not_in_the_public_api_document(client: FlaskClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").get_json()["paths"]


def test_liveness_touches_nothing_and_readiness_reports(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json()["status"] == "ok"


# -- The production rehearsal -------------------------------------------------------------------------


def test_run_prod_refuses_without_payments_and_starts_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert run_prod.main(["--state", str(state)], environ={}) == 2
    assert not state.exists()


def test_run_prod_refuses_what_production_refuses(tmp_path: Path) -> None:
    environ = {
        "ATELIER_STRIPE_SECRET_KEY": "not-a-stripe-key",
        "ATELIER_STRIPE_PUBLISHABLE_KEY": "pk_test_x",
        "ATELIER_STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    with pytest.raises(run_prod.RefusedToStart, match="ATELIER_STRIPE_SECRET_KEY"):
        run_prod.production_environment(environ, tmp_path, run_prod.Ports())


def test_run_prod_script_says_why_it_refuses(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    result = subprocess.run(
        [str(REPO / "scripts" / "run-prod"), "--state", str(tmp_path / "state")],
        env={**environment, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "ATELIER_ALLOW_OFFLINE_PAYMENTS=1" in result.stderr
    assert not (tmp_path / "state").exists()


def test_run_prod_environment_is_production_on_the_local_services(tmp_path: Path) -> None:
    ports = run_prod.Ports(web=18000, postgres=15432, redis=16379)
    env = run_prod.production_environment({"ATELIER_ALLOW_OFFLINE_PAYMENTS": "1"}, tmp_path, ports)
    assert env["ATELIER_MODE"] == "production"
    assert env["ATELIER_DATABASE_URL"].endswith("@127.0.0.1:15432/atelier")
    assert env["ATELIER_BROKER_URL"] == "redis://127.0.0.1:16379/0"
    assert env["ATELIER_PAYMENTS"] == "offline"
    assert env["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "metrics")
    # The secret key is made once, kept private, and the same on the next start
    key = (tmp_path / "secret_key").read_text()
    assert env["ATELIER_SECRET_KEY"] == key
    assert len(key) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    again = run_prod.production_environment({"ATELIER_ALLOW_OFFLINE_PAYMENTS": "1"}, tmp_path, ports)
    assert again["ATELIER_SECRET_KEY"] == key
    # A key given is used as it is
    given = {"ATELIER_ALLOW_OFFLINE_PAYMENTS": "1", "ATELIER_SECRET_KEY": "given-" * 8}
    assert run_prod.production_environment(given, tmp_path, ports)["ATELIER_SECRET_KEY"] == "given-" * 8


# Waits, not speed bounds: the whole rehearsal (initdb, migrations, publishing, gunicorn's workers each
# building the app) takes about 15 s on a quiet two-core machine and over a minute on a busy one.
RUN_PROD_READY_WITHIN = 300.0
RUN_PROD_STOPS_WITHIN = run_prod.STOP_TIMEOUT + 120.0  # app processes, then Redis, then PostgreSQL
ANSWER_WITHIN = 60.0  # a gunicorn worker's first request on a busy machine


def _get(url: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_WITHIN) as answer:  # noqa: S310  # loopback only
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_run_prod_serves_production_and_stops_cleanly(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    # Given the rehearsal started on free ports, in a state folder of its own (where the postgres
    # account can reach it: pytest's own folders are private to root)
    home = Path(tempfile.mkdtemp(prefix="atelier-run-prod-"))
    home.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
    state = home / "state"
    # Ports below the ephemeral range: the web port is bound a minute later on a busy machine, and an
    # outgoing connection of any process here could take a port of that range meanwhile.
    port, postgres_port, redis_port = free_ports_below_ephemeral_range(3)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    environment.update({"ATELIER_ALLOW_OFFLINE_PAYMENTS": "1", "ATELIER_WEB_WORKERS": "2"})
    command = [sys.executable, str(REPO / "scripts" / "run_prod.py"), "--state", str(state)]
    command += ["--port", str(port), "--postgres-port", str(postgres_port), "--redis-port", str(redis_port)]
    log = tmp_path / "run-prod.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        # When it is ready
        def ready() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                return _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
            except OSError:
                return False

        wait_until(ready, RUN_PROD_READY_WITHIN, what=lambda: f"ready:\n{log.read_text()}")
        # Then it serves with request ids, and /metrics adds up its gunicorn workers
        _, _, headers = _get(f"http://127.0.0.1:{port}/api/v1/products", **{"X-Request-ID": "smoke-1"})
        assert headers["X-Request-ID"] == "smoke-1"
        _, metrics, _ = _get(f"http://127.0.0.1:{port}/metrics")
        assert 'atelier_http_requests_total{endpoint="/api/v1/products",method="GET",status="200"}' in metrics
        assert '"request_id": "smoke-1"' in log.read_text()
    finally:
        # And a SIGTERM (what `make stop-prod` sends) stops everything it started
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(RUN_PROD_STOPS_WITHIN)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            run_prod.stop(state)  # the PostgreSQL and Redis it left behind
            raise
    assert process.returncode == 0, log.read_text()
    assert "everything stopped" in log.read_text()
    assert not (state / "run-prod.pid").exists()
    assert not (state / "postgres" / "data" / "postmaster.pid").exists()
    assert (state / "secret_key").exists()


def test_a_worker_on_its_own_machine_serves_its_task_counts(
    broker_config: dict[str, Any], redis_server: Redis, tmp_path: Path
) -> None:
    # Given a worker with a metrics address and its own multiprocess folder, as on a worker machine
    port = free_port()
    metrics_folder = tmp_path / "metrics"
    metrics_folder.mkdir()
    environment = worker_environment(
        broker_config["SQLALCHEMY_DATABASE_URI"],
        redis_server.url,
        ATELIER_WORKER_METRICS_BIND=f"127.0.0.1:{port}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_folder),
    )
    pg_app = create_app(broker_config)
    worker = Worker(environment, tmp_path).start()
    try:
        # When it runs a task
        from configurator.tasks import EXTENSION

        pg_app.extensions[EXTENSION].send_task("idempotency.purge_expired")
        worker.wait_for_log("idempotency.purge_expired", times=2)  # received, then succeeded
        # Then its endpoint counts it
        deadline = time.monotonic() + ANSWER_WITHIN
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=ANSWER_WITHIN) as answer:
                text = answer.read().decode()
            done = sample(
                text, 'atelier_celery_tasks_total{outcome="succeeded",task="idempotency.purge_expired"}'
            )
            if done >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert done == 1
    finally:
        worker.stop()
        from tests.conftest import empty_database

        empty_database(pg_app)


def test_worker_metrics_need_an_address_and_a_multiprocess_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp")
    config = load_config({}, {"ATELIER_WORKER_METRICS_BIND": "0.0.0.0:9464"})
    assert config["ATELIER_WORKER_METRICS_BIND"] == ("0.0.0.0", 9464)
    for bad in ("9464", "host:", "host:70000", "host:port"):
        with pytest.raises(ConfigurationError, match="host:port"):
            load_config({}, {"ATELIER_WORKER_METRICS_BIND": bad})
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    with pytest.raises(ConfigurationError, match="PROMETHEUS_MULTIPROC_DIR"):
        load_config({}, {"ATELIER_WORKER_METRICS_BIND": "0.0.0.0:9464"})


def test_a_scrape_while_a_process_creates_its_metrics_file_reads_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a process whose metrics file is still empty (created, not yet sized)
    from prometheus_client import generate_latest

    from configurator import observability

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    empty = tmp_path / "counter_4242.db"
    empty.touch()
    registry = observability.multiprocess_registry()
    collector = next(iter(registry._collector_to_names))  # the one collector it holds
    reads = []
    real_collect = collector.files.collect

    def collect() -> Any:
        reads.append(1)
        if len(reads) == 2:  # the process sizes its file between the first read and the second
            empty.unlink()
        return real_collect()

    monkeypatch.setattr(collector.files, "collect", collect)
    # When it is scraped, then the scrape reads the files again and answers
    assert generate_latest(registry) is not None
    assert len(reads) == 2
