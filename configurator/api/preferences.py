"""Shoppers' preferences: a pseudonymous id, the consent choice, batches of events, export and erasure.

The shopper id is issued here and kept only in the shopper's browser. It is the bearer of the shopper's
rights: whoever holds it may read and erase what is kept under it. The shop knows nobody behind it, so
there is no other proof to ask for; in exchange it is unguessable, never shown to anyone else, and a
wrong id always gets the same 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from configurator.api.preferences_schemas import (
    ConsentRequestSchema,
    ConsentSchema,
    EventBatchSchema,
    ExportSchema,
    IngestedSchema,
    ShopperSchema,
)
from configurator.errors import PROBLEM_JSON
from configurator.openapi import AtelierBlueprint, ProblemSchema
from configurator.preferences import services
from configurator.preferences.models import Consent, Purpose, Shopper
from configurator.ratelimit import check_rate

# Requests per client per minute (ATELIER_RATELIMITS=events=N,shoppers=N overrides them).
EVENTS_PER_MINUTE = 60
SHOPPERS_PER_MINUTE = 30
MAX_BATCH_BYTES = 64 * 1024

blp = AtelierBlueprint(
    "preferences",
    __name__,
    url_prefix="/api/v1",
    description="Shoppers' consent, preference events, and their rights over them",
)

RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait", "required": True, "schema": {"type": "integer"}}
}
TOO_MANY = {
    "schema": ProblemSchema,
    "content_type": PROBLEM_JSON,
    "description": "Too many requests from this client",
    "headers": RETRY_AFTER,
}


@blp.before_request
def _limits() -> None:
    # Before the body is parsed: a flood or an oversized batch costs as little as possible.
    if request.method == "OPTIONS":
        return
    if request.endpoint == "preferences.Events":
        request.max_content_length = MAX_BATCH_BYTES
        check_rate("events", EVENTS_PER_MINUTE)
    else:
        check_rate("shoppers", SHOPPERS_PER_MINUTE)


@blp.after_request
def _private(response: Response) -> Response:
    # Consent choices and exports belong to one browser: no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


def shopper_data(shopper: Shopper) -> dict[str, Any]:
    return {"id": shopper.token, "created_at": shopper.created_at}


def consent_data(consent: Consent | None) -> dict[str, Any]:
    """The choice in force; every purpose refused, and nulls, when the shopper has not chosen yet."""
    return {
        "purposes": {p.value: services.grants(consent, p) for p in Purpose},
        "wording_version": consent.wording_version if consent else None,
        "given_at": consent.given_at if consent else None,
        "withdrawn_at": consent.withdrawn_at if consent else None,
    }


@blp.route("/shoppers")
class Shoppers(MethodView):
    @blp.response(201, ShopperSchema)
    @blp.alt_response(429, **TOO_MANY)
    def post(self) -> Any:
        """A new pseudonymous shopper id, for the browser to keep; it says nothing about the person."""
        return shopper_data(services.create_shopper()), 201


@blp.route("/shoppers/<shopper_id>")
class ShopperView(MethodView):
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, **TOO_MANY)
    def delete(self, shopper_id: str) -> None:
        """Erase the shopper: events and designs deleted, open carts forgotten; orders are kept for
        accounting, unlinked. The id finds nothing afterwards."""
        services.erase(services.find(shopper_id))


@blp.route("/shoppers/<shopper_id>/consent")
class ConsentView(MethodView):
    @blp.response(200, ConsentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, **TOO_MANY)
    def get(self, shopper_id: str) -> dict[str, Any]:
        """The consent choice in force."""
        shopper = services.find(shopper_id)
        return consent_data(services.current_consent(shopper))

    @blp.arguments(ConsentRequestSchema)
    @blp.response(200, ConsentSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, **TOO_MANY)
    def put(self, body: dict[str, Any], shopper_id: str) -> dict[str, Any]:
        """Record a choice (a new row; the history is kept), with the version of the text shown.
        Withdrawing is the same call with the purposes set to false."""
        shopper = services.find(shopper_id)
        return consent_data(services.set_consent(shopper, body["purposes"], body["wording_version"]))


@blp.route("/shoppers/<shopper_id>/export")
class Export(MethodView):
    @blp.response(200, ExportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, **TOO_MANY)
    def get(self, shopper_id: str) -> dict[str, Any]:
        """Everything kept under this id: consent history, events, designs, carts and their orders."""
        return services.export(services.find(shopper_id))


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventBatchSchema)
    @blp.response(202, IngestedSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="A body over 64 KB")
    @blp.alt_response(429, **TOO_MANY)
    def post(self, body: dict[str, Any]) -> Any:
        """A batch of up to 100 events from the shopper's browser. Kept only while the shopper consents
        to `preferences` (else answered with `stored: 0`, nothing kept); all or nothing."""
        ingested = services.ingest(services.find(body["shopper"]), body["events"])
        return {"stored": ingested.stored, "reason": ingested.reason}, 202
