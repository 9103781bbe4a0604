"""Liveness: the process is up and its catalog is loaded."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from configurator.api.schemas import HealthSchema
from configurator.catalog.services import current_catalog
from configurator.openapi import AtelierBlueprint

blp = AtelierBlueprint("health", __name__, description="Health checks")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Whether the app is up, and how many products it serves."""
        return {"status": "ok", "products": len(current_catalog().products)}
