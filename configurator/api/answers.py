"""A per-process cache of encoded answers for endpoints whose answer is a pure function of the request.

Configure is one: the same picks on the same product version, in the same currency, quantity and
language, always get the same answer. Shoppers walk the same first steps (an empty design, then one
pick), so most answers are asked for many times; keeping them encoded skips the engine, the schema and
the JSON encoder. The cache is bounded in bytes and forgets the least recently used answers first.
Only successful answers are kept; errors are computed every time.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec

from flask import Flask, Response, current_app

from configurator.observability import ANSWER_CACHE

EXTENSION = "atelier.answers"
P = ParamSpec("P")


class AnswerCache:
    """Encoded answers by key, at most `max_bytes` of them (keys are counted at their text's size)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._size

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            data = self._answers.get(key)
            if data is not None:
                self._answers.move_to_end(key)
            return data

    def put(self, key: Hashable, data: bytes) -> None:
        cost = len(data) + _key_size(key)
        if cost > self.max_bytes:
            return
        with self._lock:
            previous = self._answers.pop(key, None)
            if previous is not None:
                self._size -= len(previous) + _key_size(key)
            self._answers[key] = data
            self._size += cost
            while self._size > self.max_bytes:
                old_key, old = self._answers.popitem(last=False)
                self._size -= len(old) + _key_size(old_key)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._size = 0


def _key_size(key: Hashable) -> int:
    return len(repr(key))


def init_app(app: Flask) -> None:
    megabytes = float(app.config.get("ATELIER_ANSWER_CACHE_MB") or 0)
    app.extensions[EXTENSION] = AnswerCache(int(megabytes * 1024 * 1024))


def answer_cache(app: Flask | None = None) -> AnswerCache:
    cache: AnswerCache = (app or current_app).extensions[EXTENSION]
    return cache


def cached_answers(
    key: Callable[P, Hashable | None],
) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """Serve a view's 200 answers from the cache under `key(*view arguments)`; None means "do not cache
    this request" (a body that is not an object, a design that depends on stored uploads…).

    Put it above the request-parsing decorators: a hit returns before the body is validated again.
    """

    def decorate(view: Callable[P, Any]) -> Callable[P, Any]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            cache = answer_cache()
            answer_key = key(*args, **kwargs) if cache.enabled else None
            if answer_key is None:
                return view(*args, **kwargs)
            data = cache.get(answer_key)
            if data is not None:
                ANSWER_CACHE.labels("hit").inc()
                return Response(data, 200, mimetype="application/json")
            ANSWER_CACHE.labels("miss").inc()
            response = view(*args, **kwargs)
            if isinstance(response, Response) and response.status_code == 200 and not response.is_streamed:
                cache.put(answer_key, response.get_data())
            return response

        return wrapper

    return decorate
