"""What a test can count on the network: this process's connection attempts to a port."""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Any

import pytest


class ConnectionAttempts:
    """Counts this process's connection attempts to one port while in its `with` block: a client's
    work against a server that is down. Code that retried without end fails the test at `limit`
    attempts instead of hanging it."""

    def __init__(self, port: int, limit: int = 20) -> None:
        self.port = port
        self.limit = limit
        self.count = 0
        self._connect = socket.socket.connect

    def __enter__(self) -> ConnectionAttempts:
        connect = self._connect

        def counted(sock: socket.socket, address: Any) -> None:
            if isinstance(address, tuple) and address[1] == self.port:
                self.count += 1
                if self.count > self.limit:
                    pytest.fail(f"{self.count} connection attempts to port {self.port} and counting")
            connect(sock, address)

        socket.socket.connect = counted  # type: ignore[method-assign]
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        socket.socket.connect = self._connect  # type: ignore[method-assign]
