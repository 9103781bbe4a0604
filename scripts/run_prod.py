"""A rehearsal of production on one machine: `make run-prod` (or `scripts/run-prod`).

PostgreSQL and Redis from Debian's packages, kept in a state folder (default `./.prod/`); then
`atelier db upgrade`, `atelier rules publish catalog/`, and gunicorn, a Celery worker and Celery beat,
all with ATELIER_MODE=production. Ctrl-C (or `make stop-prod`, which sends SIGTERM) stops the app
processes first, then the broker and the database.

Settings: ATELIER_SECRET_KEY is generated once into the state folder unless given. Payments use Stripe
when its three keys are in the environment; without them the script refuses to start unless
ATELIER_ALLOW_OFFLINE_PAYMENTS=1 says that orders may be marked paid without money.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a file: make `configurator` importable without installing
    sys.path.insert(0, str(REPO))

from configurator.config import STRIPE_KEYS, load_config  # noqa: E402
from configurator.devservices import Postgres, Redis, ServiceUnavailable, stop_postgres, stop_redis  # noqa: E402
from configurator.errors import ConfigurationError  # noqa: E402

logger = logging.getLogger("atelier.run-prod")

DEFAULT_STATE = REPO / ".prod"
PIDFILE = "run-prod.pid"
STOP_TIMEOUT = 25.0  # gunicorn's graceful timeout is 20 s; a worker finishes its current task


class RefusedToStart(RuntimeError):
    """A setting production needs is missing; nothing was started."""


@dataclass(frozen=True)
class Ports:
    # Below Linux's ephemeral range (32768-60999): a port in it can be held by an outgoing loopback
    # connection, and after a busy run PostgreSQL or Redis would then fail to bind.
    web: int = 8000
    postgres: int = 25432
    redis: int = 26379


def secret_key(state: Path) -> str:
    """The state folder's secret key, made on first use (readable by this user only)."""
    path = state / "secret_key"
    if not path.exists():
        state.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def production_environment(
    environ: Mapping[str, str], state: Path, ports: Ports, host: str = "127.0.0.1"
) -> dict[str, str]:
    """The environment of every process: the caller's, with production settings for the local services.

    Raises RefusedToStart when production's checks fail (see configurator/config.py)."""
    env = dict(environ)
    env.update(
        {
            "ATELIER_MODE": "production",
            "ATELIER_DATABASE_URL": f"postgresql+psycopg://atelier:atelier@127.0.0.1:{ports.postgres}/atelier",
            "ATELIER_BROKER_URL": f"redis://127.0.0.1:{ports.redis}/0",
            "ATELIER_MEDIA_ROOT": env.get("ATELIER_MEDIA_ROOT") or str(state / "media"),
            "ATELIER_PUBLIC_URL": env.get("ATELIER_PUBLIC_URL") or f"http://{host}:{ports.web}",
            "ATELIER_AUTO_SETUP": "0",
            "ATELIER_BIND": f"{host}:{ports.web}",
            # Every process on this machine writes its counts here; /metrics adds them up.
            "PROMETHEUS_MULTIPROC_DIR": str(state / "metrics"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if not env.get("ATELIER_PAYMENTS"):
        has_stripe = all(env.get(key) for key in STRIPE_KEYS)
        offline = env.get("ATELIER_ALLOW_OFFLINE_PAYMENTS", "").strip().lower() in {"1", "true", "yes", "on"}
        if not has_stripe and not offline:
            raise RefusedToStart(
                "production takes real payments: export ATELIER_STRIPE_SECRET_KEY, "
                "ATELIER_STRIPE_PUBLISHABLE_KEY and ATELIER_STRIPE_WEBHOOK_SECRET (Stripe's test-mode "
                "keys will do), or ATELIER_ALLOW_OFFLINE_PAYMENTS=1 to mark orders paid without money."
            )
        env["ATELIER_PAYMENTS"] = "stripe" if has_stripe else "offline"
    env.setdefault("ATELIER_SECRET_KEY", "")
    if not env["ATELIER_SECRET_KEY"]:
        env["ATELIER_SECRET_KEY"] = secret_key(state)
    try:
        load_config(environ=env)  # the same checks every process makes at start, before anything runs
    except ConfigurationError as error:
        raise RefusedToStart(error.detail) from error
    return env


@dataclass
class Supervisor:
    """The processes of one run, each in a session of its own: a Ctrl-C reaches only this one, which
    then stops them in order."""

    state: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    postgres: Postgres | None = None
    redis: Redis | None = None
    stopping: bool = False

    def start_services(self, ports: Ports) -> None:
        metrics = Path(self.env["PROMETHEUS_MULTIPROC_DIR"])
        shutil.rmtree(metrics, ignore_errors=True)  # counts of an earlier run's dead processes
        metrics.mkdir(parents=True)
        self.postgres = Postgres.start(self.state / "postgres", ports.postgres)
        logger.info("PostgreSQL on 127.0.0.1:%s (data in %s)", ports.postgres, self.state / "postgres")
        self.redis = Redis.start(self.state / "redis", ports.redis)
        logger.info("Redis on 127.0.0.1:%s", ports.redis)

    def prepare(self, catalog: str) -> None:
        """Migrate, then publish: production never does either on its own at start."""
        atelier = _tool("atelier")
        for command in ([atelier, "db", "upgrade"], [atelier, "rules", "publish", catalog]):
            logger.info("$ %s", " ".join(command[1:]))
            subprocess.run([*command], cwd=REPO, env=self.env, check=True)

    def spawn(self, name: str, command: Sequence[str]) -> None:
        logger.info("starting %s: %s", name, " ".join(command))
        self.processes[name] = subprocess.Popen(command, cwd=REPO, env=self.env, start_new_session=True)

    def start_app(self) -> None:
        celery = _tool("celery")
        self.spawn("web", [_tool("gunicorn"), "-c", str(REPO / "gunicorn.conf.py"), "wsgi:app"])
        self.spawn("worker", [celery, "-A", "configurator.worker", "worker", "--loglevel=INFO"])
        schedule = str(self.state / "celerybeat-schedule")
        self.spawn("beat", [celery, "-A", "configurator.worker", "beat", "--loglevel=INFO", "-s", schedule])

    def wait(self) -> int:
        """Until a signal asks to stop (0) or a process dies on its own (1)."""
        while not self.stopping:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    logger.error("%s exited with %s: stopping everything", name, process.returncode)
                    return 1
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        """App processes first (they finish their requests and tasks), then the broker, then the database."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, process in self.processes.items():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in time: killing it", name)
                _signal_group(process, signal.SIGKILL)
                process.wait(5)
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    # The group: gunicorn's and Celery's own children go too, even if their parent is gone.
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def _tool(name: str) -> str:
    """A command of this virtualenv (next to this Python), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise RefusedToStart(f"{name} is not installed: run `make install` first.")
    return found


def _running_pid(state: Path) -> int | None:
    try:
        pid = int((state / PIDFILE).read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def stop(state: Path) -> int:
    """`make stop-prod`: ask the running script to stop, and wait; clean up after one that died."""
    pid = _running_pid(state)
    if pid is None:
        stopped = [name for name, done in (("redis", stop_redis(state / "redis")),) if done]
        if stop_postgres(state / "postgres"):
            stopped.append("postgresql")
        logger.info("not running%s", f"; stopped leftover {', '.join(stopped)}" if stopped else "")
        (state / PIDFILE).unlink(missing_ok=True)
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT + 20
    while time.monotonic() < deadline:
        if _running_pid(state) is None:
            logger.info("stopped")
            return 0
        time.sleep(0.2)
    logger.error("process %s is still running", pid)
    return 1


def run(state: Path, ports: Ports, host: str, catalog: str, environ: Mapping[str, str]) -> int:
    env = production_environment(environ, state, ports, host)
    if _running_pid(state) is not None:
        raise RefusedToStart(f"already running with state in {state} (make stop-prod)")
    state.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(state, env)

    def _request_stop(signum: int, _frame: object) -> None:
        logger.info("%s: stopping", signal.Signals(signum).name)
        supervisor.stopping = True

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    (state / PIDFILE).write_text(str(os.getpid()))
    try:
        supervisor.start_services(ports)
        supervisor.prepare(catalog)
        supervisor.start_app()
        logger.info("serving http://%s:%s (metrics at /metrics); Ctrl-C stops", host, ports.web)
        return supervisor.wait()
    finally:
        supervisor.stop()
        (state / PIDFILE).unlink(missing_ok=True)
        logger.info("everything stopped")


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="run-prod", description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=Path(environ.get("ATELIER_STATE") or DEFAULT_STATE))
    parser.add_argument("--host", default=environ.get("HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(environ.get("PORT") or Ports.web))
    pg_port = int(environ.get("ATELIER_PROD_PG_PORT") or Ports.postgres)
    parser.add_argument("--postgres-port", type=int, default=pg_port)
    redis_port = int(environ.get("ATELIER_PROD_REDIS_PORT") or Ports.redis)
    parser.add_argument("--redis-port", type=int, default=redis_port)
    parser.add_argument("--catalog", default="catalog/")
    parser.add_argument("--stop", action="store_true", help="stop a running instance (make stop-prod)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="run-prod: %(message)s")
    state = args.state.resolve()
    if args.stop:
        return stop(state)
    try:
        ports = Ports(args.port, args.postgres_port, args.redis_port)
        return run(state, ports, args.host, args.catalog, environ)
    except RefusedToStart as error:
        logger.error("refusing to start: %s", error)
        return 2
    except (ServiceUnavailable, subprocess.CalledProcessError) as error:
        logger.error("could not start: %s", error)
        return 1


if __name__ == "__main__":
    sys.exit(main())
