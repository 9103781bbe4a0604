"""The floor for `bench.load`: one JSON endpoint and nothing else, served by the same gunicorn settings.

`gunicorn -c gunicorn.conf.py bench.bare_app:app`; GET /ping answers `{"ok": true}`.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify


def create_app() -> Flask:
    """A Flask app with no extensions, database or middleware: what any endpoint costs at least."""
    bare = Flask(__name__)

    @bare.get("/ping")
    def ping() -> Response:
        return jsonify(ok=True)

    return bare


app = create_app()
