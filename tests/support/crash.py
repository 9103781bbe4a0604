"""A test double of a task run that kills its worker: the kernel's OOM killer ending a render, or a
crash inside a C library. No exception is raised, so no retry limit sees it.

A worker started with `--include tests.support.crash` and `CRASH_IN=module:function` in its environment
replaces that function with one that SIGKILLs the process calling it, on every call. Imported when the
worker starts, before it forks its pool, so every child (and every replacement of a dead one) has it.
"""

from __future__ import annotations

import importlib
import os
import signal
from typing import Any, NoReturn

VARIABLE = "CRASH_IN"


def die(*_args: Any, **_kwargs: Any) -> NoReturn:
    """End the calling process at once, as the kernel does: no cleanup, no acknowledgement."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable: SIGKILL cannot be caught")


def install(target: str) -> None:
    """Make `module:function` kill its caller."""
    module_name, _, function = target.partition(":")
    module = importlib.import_module(module_name)
    if not callable(getattr(module, function, None)):
        raise AttributeError(f"{module_name} has no function {function!r} to crash in")
    setattr(module, function, die)


if os.environ.get(VARIABLE):
    install(os.environ[VARIABLE])
