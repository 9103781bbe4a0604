"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_stripe import FakeStripe
from tests.support.worker import Worker


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers the test starts (appended here), stopped at the end."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """The local stand-in for Stripe's API, on a free port."""
    server = FakeStripe().start()
    yield server
    server.stop()
