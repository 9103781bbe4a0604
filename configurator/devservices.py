"""PostgreSQL and Redis servers started from Debian's binaries, for the tests and the local rehearsal of
production (`make run-prod`).

Throwaway servers (the tests) live in a temporary folder on a free port and are removed when stopped.
Durable ones (`scripts/run-prod`) live in a given folder, keep their data between runs, and are left
in place when stopped. Neither touches a developer's own servers.
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

POSTGRES_USER = "postgres"  # initdb refuses to run as root: the cluster belongs to this account
# Durability traded for speed: a throwaway cluster is never recovered after a crash.
_THROWAWAY_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class ServiceUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_LOWEST_PICKED_PORT = 20000
# Drawn from the system's entropy: processes picking ports at once (the test workers) never share a
# sequence, whatever any of them did to the `random` module's seed.
_PICK = random.SystemRandom()
_RUN_PROD_DEFAULT_PORTS = frozenset({8000, 25432, 26379})  # a developer's own `make run-prod` may hold them


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports_below_ephemeral_range(count: int) -> list[int]:
    """`count` distinct free ports for servers that bind them only many seconds later (after initdb,
    the migrations and publishing on a busy machine). The kernel hands ports of the ephemeral range to
    every outgoing connection on the machine, so a port `free_port` found there can be taken in the
    meantime; below the range only another listener can take one."""
    top = _ephemeral_start()
    ports: list[int] = []
    for _ in range(200 * count):
        port = _PICK.randrange(_LOWEST_PICKED_PORT, top)
        if port in _RUN_PROD_DEFAULT_PORTS or port in ports:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise ServiceUnavailable(f"not {count} free ports between {_LOWEST_PICKED_PORT} and {top}")


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL binaries (the newest version installed)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServiceUnavailable(
        "PostgreSQL is not installed: `make services` installs it (apt-get install postgresql), "
        "or install it yourself."
    )


def _owner() -> str | None:
    return POSTGRES_USER if os.geteuid() == 0 else None


def _as_owner(command: Sequence[str], owner: str | None) -> list[str]:
    if owner is None:
        return list(command)
    return ["runuser", "-u", owner, "--", *command]


def _give_to(folder: Path, owner: str | None) -> None:
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)


@dataclass
class Postgres:
    """A PostgreSQL cluster with one database `atelier` owned by role `atelier`."""

    folder: Path
    port: int
    owner: str | None
    durable: bool = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://atelier:atelier@127.0.0.1:{self.port}/atelier"

    @classmethod
    def start(cls, folder: Path | None = None, port: int | None = None) -> Postgres:
        """A throwaway cluster, or (given a folder) a durable one, created there on first use."""
        binaries = postgres_bin()
        owner = _owner()
        durable = folder is not None
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
        else:
            folder.mkdir(parents=True, exist_ok=True)
        _give_to(folder, owner)
        reachable = subprocess.run(_as_owner(["test", "-w", str(folder)], owner), check=False).returncode == 0
        if not reachable:
            raise ServiceUnavailable(
                f"the {owner} account cannot reach {folder}: let it through the folders above "
                "(chmod o+x) or keep the state somewhere it can reach"
            )
        port = port or free_port()
        data = folder / "data"
        created = not (data / "PG_VERSION").exists()
        if created:
            initdb = [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
            initdb += ["-E", "UTF8", "--locale=C.UTF-8"] + ([] if durable else ["--no-sync"])
            _run(_as_owner(initdb, owner))
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            options += f" {_THROWAWAY_OPTIONS}"
        log = folder / "server.log"
        pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]
        _run(_as_owner(pg_ctl, owner))
        server = cls(folder, port, owner, durable)
        if created:
            psql = shutil.which("psql") or str(binaries / "psql")
            _run(
                [
                    *(psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1"),
                    *("-c", "CREATE ROLE atelier LOGIN PASSWORD 'atelier' CREATEDB"),
                    *("-c", "CREATE DATABASE atelier OWNER atelier"),
                ]
            )
        return server

    def stop(self) -> None:
        """Stop the server; a throwaway cluster is deleted, a durable one is shut down cleanly and kept."""
        stop_postgres(self.folder, fast=self.durable)
        if not self.durable:
            shutil.rmtree(self.folder, ignore_errors=True)


def stop_postgres(folder: Path, *, fast: bool = True) -> bool:
    """Stop the cluster in `folder` if it runs (also after its starter died); whether one ran."""
    data = folder / "data"
    if not (data / "postmaster.pid").exists():
        return False
    # "fast" checkpoints and keeps the data; "immediate" is enough for a cluster about to be deleted.
    mode = "fast" if fast else "immediate"
    command = [str(postgres_bin() / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]
    subprocess.run(_as_owner(command, _owner()), capture_output=True, check=False)
    return True


@dataclass
class Redis:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    durable: bool = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, folder: Path | None = None, port: int | None = None) -> Redis:
        """A throwaway server, or (given a folder) one whose queue survives a restart (append-only file).

        A durable server runs in a session of its own: a Ctrl-C in the terminal reaches its starter,
        which stops the app first and the broker last."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailable(
                "Redis is not installed: `make services` installs it (apt-get install redis-server)."
            )
        durable = folder is not None
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="atelier-redis-"))
        else:
            folder.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(folder)]
        command += ["--appendonly", "yes" if durable else "no"]
        if durable:
            command += ["--pidfile", str(folder / "redis.pid")]
        if durable:
            with (folder / "server.log").open("ab") as log:
                process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        else:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(port, process)
        return cls(folder, port, process, durable)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        if not self.durable:
            shutil.rmtree(self.folder, ignore_errors=True)


def stop_redis(folder: Path) -> bool:
    """Stop the durable Redis of `folder` by its pid file (after its starter died); whether one ran."""
    pidfile = folder / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 15)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    return True


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceUnavailable(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceUnavailable(f"nothing listens on port {port} after {timeout} s")


def _run(command: Sequence[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServiceUnavailable(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
