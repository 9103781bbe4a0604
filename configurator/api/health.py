"""Liveness (the process answers) and readiness (its database and broker answer, a catalog is live)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from configurator.api.schemas import HealthSchema, ReadinessSchema
from configurator.health import readiness
from configurator.openapi import AtelierBlueprint

blp = AtelierBlueprint("health", __name__, description="Health checks")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Whether the process is up; touches nothing else, so a slow database never restarts it."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="Some dependency does not answer")
    def get(self) -> Any:
        """Whether the app can serve: database, Celery broker and a published catalog."""
        report = readiness()
        return report, 200 if report["status"] == "ok" else 503
