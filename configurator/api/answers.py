"""A per-process cache of encoded answers for endpoints whose answer is a pure function of the request.

Configure is one: the same picks on the same product version, in the same currency, quantity and
language, always get the same answer. Shoppers walk the same first steps (an empty design, then one
pick), so most answers are asked for many times; keeping them encoded skips the engine, the schema and
the JSON encoder. The cache is bounded in bytes and forgets the least recently used answers first.
Only successful answers are kept; errors are computed every time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec

from flask import Flask, Response, current_app

from configurator.observability import ANSWER_CACHE
from rules.preview.assets import LRU

EXTENSION = "atelier.answers"
P = ParamSpec("P")
# What an answer costs beyond its bytes: its key (the request body) and the cache's bookkeeping.
ENTRY_OVERHEAD = 512


def answer_lru(max_bytes: int) -> LRU:
    """Encoded answers by key, at most about `max_bytes` of them."""
    return LRU(max_bytes, lambda data: len(data) + ENTRY_OVERHEAD if isinstance(data, bytes) else 0)


def init_app(app: Flask) -> None:
    megabytes = float(app.config.get("ATELIER_ANSWER_CACHE_MB") or 0)
    app.extensions[EXTENSION] = answer_lru(int(megabytes * 1024 * 1024))


def answer_cache(app: Flask | None = None) -> LRU:
    cache: LRU = (app or current_app).extensions[EXTENSION]
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
            answer_key = key(*args, **kwargs) if cache.budget > 0 else None
            if answer_key is None:
                return view(*args, **kwargs)
            data = cache.get(answer_key)
            if isinstance(data, bytes):
                ANSWER_CACHE.labels("hit").inc()
                return Response(data, 200, mimetype="application/json")
            ANSWER_CACHE.labels("miss").inc()
            response = view(*args, **kwargs)
            if isinstance(response, Response) and response.status_code == 200 and not response.is_streamed:
                cache.put(answer_key, response.get_data())
            return response

        return wrapper

    return decorate
