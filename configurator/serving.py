"""gunicorn's own refusals as problem documents, like every other answer of the API.

gunicorn refuses some requests before the app sees them: a request line longer than
`limit_request_line` (414), more headers than `limit_request_fields` or one longer than
`limit_request_field_size` (431), a request that is not HTTP (400). It answers those in HTML from
`gunicorn.util.write_error`, which `gunicorn.conf.py` replaces in every worker with `problem_page`
(`answer_refusals_as_problems`). Its message is not repeated: it can echo the refused input back.
"""

from __future__ import annotations

import http
import json
import socket
from typing import Any

from configurator.errors import PROBLEM_JSON, code_for_status, problem_document


def refusal_detail(status: int, cfg: Any) -> str:
    """What a client is told about one of gunicorn's refusals, with the limit it went past."""
    if status == 414:
        limit = cfg.limit_request_line
        return f"The request line (method, URL and version) is too long: at most {limit} bytes."
    if status == 431:
        return (
            f"The request's headers are too large: this server reads at most {cfg.limit_request_fields} "
            f"headers of at most {cfg.limit_request_field_size} bytes each."
        )
    if status == 400:
        return "The request is not valid HTTP."
    return _phrase(status)


def problem_bytes(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 answer carrying one problem document; the connection closes after it."""
    body = json.dumps(
        problem_document(status=status, code=code_for_status(status), title=_phrase(status), detail=detail)
    ).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {_phrase(status)}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def answer_refusals_as_problems(cfg: Any) -> None:
    """Make gunicorn write its refusals as problem documents, in this worker process."""
    from gunicorn import util

    def problem_page(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
        util.write_nonblock(sock, problem_bytes(status_int, refusal_detail(status_int, cfg)))

    util.write_error = problem_page


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
