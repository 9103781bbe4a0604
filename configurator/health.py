"""Readiness: can this process serve? The database answers, the broker answers, a catalog is live."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import text

from configurator.catalog import versions
from configurator.extensions import db
from configurator.tasks import EXTENSION, is_eager

BROKER_TIMEOUT_SECONDS = 2.0


def readiness() -> dict[str, Any]:
    """One check per dependency, each "ok" or what went wrong; status "ok" only when all are."""
    checks: dict[str, str] = {}
    products = 0
    try:
        db.session.execute(text("SELECT 1"))
        products = len(versions.live_versions())
        checks["database"] = "ok"
        checks["catalog"] = "ok" if products else "nothing published"
    except Exception as error:  # noqa: BLE001  # any failure means "not ready", reported by type
        db.session.rollback()
        checks["database"] = f"unreachable ({type(error).__name__})"
        checks["catalog"] = "unknown"
    if is_eager(current_app):
        checks["broker"] = "ok"  # tasks run in-process: there is no broker to reach
    else:
        try:
            with current_app.extensions[EXTENSION].connection_for_write() as connection:
                # One quick second try rides over a blip; a broker that is down fails fast.
                connection.ensure_connection(
                    max_retries=1, interval_start=0.2, interval_step=0.2, timeout=BROKER_TIMEOUT_SECONDS
                )
            checks["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["broker"] = f"unreachable ({type(error).__name__})"
    status = "ok" if all(v == "ok" for v in checks.values()) else "unavailable"
    return {"status": status, "checks": checks, "products": products}
