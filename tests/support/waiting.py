"""Waiting for a state another process brings about, with a deadline made for a busy machine.

A deadline here is how long to keep looking, never a bound on speed: a wait that succeeds returns as
soon as the state is there, so the deadline can be generous (a two-core machine at load 8 runs a
worker's task four or five times slower than a quiet one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

WAIT_WITHIN = 60.0


def wait_until(
    check: Callable[[], object], timeout: float = WAIT_WITHIN, *, what: str | Callable[[], str] = "the state"
) -> None:
    """Return once `check()` is true; fail, saying what was awaited (`what`, or what it returns at the
    deadline: a worker's output, say), if it is not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"not reached within {timeout} s: {said}")
        time.sleep(0.05)


def wait_for(read: Callable[[], T | None], timeout: float = WAIT_WITHIN, *, what: str = "the value") -> T:
    """What `read()` answers once it answers something other than None; fail, saying what was
    awaited, if it does not within `timeout` seconds."""
    found: T | None = None

    def answered() -> bool:
        nonlocal found
        found = read()
        return found is not None

    wait_until(answered, timeout, what=what)
    assert found is not None
    return found
