"""Celery worker entry point: `celery -A configurator.worker worker` (and `... beat` for the sweep).

The app is built when Celery asks for `celery`, not at import: importing this module (pytest's
doctest collection does) must not read the environment, migrate or connect to anything. There is no
`app` attribute on purpose: Celery looks for one first, and would find the Flask app there.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _celery() -> Any:
    from configurator import create_app
    from configurator.tasks import EXTENSION

    return create_app().extensions[EXTENSION]


def __getattr__(name: str) -> Any:
    if name == "celery":
        return _celery()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
