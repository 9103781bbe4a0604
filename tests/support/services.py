"""Throwaway PostgreSQL and Redis servers for the test session, started from Debian's binaries.

Each runs in its own temporary folder on a free port and is stopped when the session ends; nothing is
left behind and a developer's own servers are never touched. `make test` installs the packages. The
servers are the same ones `make run-prod` starts (configurator.devservices), without a folder to keep.
"""

from __future__ import annotations

from configurator.devservices import (
    Postgres,
    Redis,
    ServiceUnavailable,
    free_ports_below_ephemeral_range,
)

__all__ = ["Postgres", "Redis", "ServiceUnavailable", "free_port", "free_ports_below_ephemeral_range"]


def free_port() -> int:
    """A port nothing listens on, for a server a test starts (or for one it wants down).

    Drawn at random below the kernel's ephemeral range: the tests run on two pytest-xdist workers, and
    a port of that range, free when drawn, can meanwhile become the source port of any outgoing
    connection of the other worker (its browser, its database clients), before a server that takes
    seconds to start binds it."""
    [port] = free_ports_below_ephemeral_range(1)
    return port
