"""Throwaway PostgreSQL and Redis servers for the test session, started from Debian's binaries.

Each runs in its own temporary folder on a free port and is stopped when the session ends; nothing is
left behind and a developer's own servers are never touched. `make test` installs the packages. The
servers are the same ones `make run-prod` starts (configurator.devservices), without a folder to keep.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

from configurator.devservices import Postgres, Redis, ServiceUnavailable, free_port

__all__ = ["Postgres", "Redis", "ServiceUnavailable", "free_port", "free_ports_below_ephemeral_range"]

_LOWEST = 20000
_RUN_PROD_DEFAULTS = frozenset({25432, 26379})  # a developer's own `make run-prod` may hold them


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports_below_ephemeral_range(count: int) -> list[int]:
    """`count` distinct free ports for servers that bind them only many seconds later (run-prod's, after
    initdb and the migrations). The kernel hands ports of the ephemeral range to every outgoing
    connection on the machine, so one picked there can be taken in the meantime; below it only a
    listener can take one."""
    top = _ephemeral_start()
    ports: list[int] = []
    for _ in range(200 * count):
        port = random.randrange(_LOWEST, top)
        if port in _RUN_PROD_DEFAULTS or port in ports:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise ServiceUnavailable(f"not {count} free ports between {_LOWEST} and {top}")
