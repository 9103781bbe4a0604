"""A real SMTP server on loopback (aiosmtpd) that records what it accepts, for the e-mail tests.

The server can also hold the next message: it takes the whole DATA, signals `entered`, and waits for
`release` before answering with a temporary failure. A test uses that to kill a worker while it is
provably inside the send, before the server accepted anything.
"""

from __future__ import annotations

import asyncio
import email
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.services import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


@dataclass
class RecordingHandler:
    """aiosmtpd handler: keeps every accepted message; can hold (then refuse) the next one."""

    received: list[Received] = field(default_factory=list)
    held: int = 0  # messages taken whole, then held and refused (never accepted)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _hold_next: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hold_next(self) -> None:
        self.entered.clear()
        self.release.clear()
        self._hold_next = True

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self._hold_next:
            self._hold_next = False
            self.held += 1
            self.entered.set()
            # Polled, not blocked on: the server's loop keeps serving other clients meanwhile (and
            # cancels this wait if the client goes away).
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Held by the test and not accepted"
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Accepted"

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        """At least `count` accepted messages, waiting up to `timeout` seconds for them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{count} message(s) expected within {timeout} s, got {len(self.received)}")


class SmtpServer:
    """An SMTP server on 127.0.0.1 that can be started late (the test of a server that was down)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return list(self.handler.received)

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.handler.release.set()  # a held message must not keep the server's loop busy
            self._controller.stop()
            self._controller = None

    def config(self) -> dict[str, Any]:
        """The app settings that send through this server."""
        return {
            "ATELIER_SMTP_HOST": "127.0.0.1",
            "ATELIER_SMTP_PORT": self.port,
            "ATELIER_SMTP_STARTTLS": False,
        }
