"""Throwaway PostgreSQL and Redis servers for the test session, started from Debian's binaries.

Each runs in its own temporary folder on a free port and is stopped when the session ends; nothing is
left behind and a developer's own servers are never touched. `make test` installs the packages.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

POSTGRES_USER = "postgres"  # initdb refuses to run as root: the cluster belongs to this account


class ServiceUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServiceUnavailable(
        "PostgreSQL is not installed: `make test` installs it (apt-get install postgresql), "
        "or install it yourself."
    )


def _as_owner(command: Sequence[str], owner: str | None) -> list[str]:
    if owner is None:
        return list(command)
    return ["runuser", "-u", owner, "--", *command]


@dataclass
class Postgres:
    """A PostgreSQL cluster with one database `atelier` owned by role `atelier`."""

    folder: Path
    port: int
    owner: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://atelier:atelier@127.0.0.1:{self.port}/atelier"

    @classmethod
    def start(cls) -> Postgres:
        binaries = _postgres_bin()
        owner = POSTGRES_USER if os.geteuid() == 0 else None
        folder = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
        if owner is not None:
            entry = pwd.getpwnam(owner)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        port = free_port()
        data = folder / "data"
        _run(
            _as_owner(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                owner,
            )
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _run(
            _as_owner(
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "-o",
                    options,
                    "start",
                ],
                owner,
            )
        )
        server = cls(folder, port, owner)
        psql = shutil.which("psql") or str(binaries / "psql")
        _run(
            [
                psql,
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "CREATE ROLE atelier LOGIN PASSWORD 'atelier' CREATEDB",
                "-c",
                "CREATE DATABASE atelier OWNER atelier",
            ]
        )
        return server

    def stop(self) -> None:
        binaries = _postgres_bin()
        subprocess.run(
            _as_owner(
                [str(binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
                self.owner,
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Redis:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls) -> Redis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailable(
                "Redis is not installed: `make test` installs it (apt-get install redis-server)."
            )
        folder = Path(tempfile.mkdtemp(prefix="atelier-redis-"))
        port = free_port()
        process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(port, process)
        return cls(folder, port, process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


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
