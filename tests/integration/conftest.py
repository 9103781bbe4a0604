"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.worker import Worker


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers the test starts (appended here), stopped at the end."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
