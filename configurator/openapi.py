"""flask-smorest wired to our error format: requests that fail to parse raise `AtelierError`s, and the
OpenAPI document describes every error response as `application/problem+json`."""

from __future__ import annotations

import http
from typing import Any, ClassVar, NoReturn

import flask
import marshmallow as ma
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from webargs import missing
from webargs.flaskparser import FlaskParser, is_json_request

from configurator.bodies import json_body, refuse_unusable_text
from configurator.errors import PROBLEM_JSON, ValidationFailed, errors_by_location


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(required=True, metadata={"description": "Dotted path, e.g. picks.colour"})
    location = ma.fields.String(
        required=True, metadata={"enum": ["body", "query", "path", "header", "cookie"]}
    )
    detail = ma.fields.String(required=True, metadata={"description": "May be shown to shoppers"})
    code = ma.fields.String()
    technical_detail = ma.fields.String(
        metadata={"description": "For integrators, not shoppers: e.g. the code point of a refused character"}
    )


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only: errors.problem_response renders them)."""

    type = ma.fields.String(required=True, metadata={"description": "urn:atelier:problem:<code>"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    instance = ma.fields.String()
    code = ma.fields.String(required=True, metadata={"description": "Stable error code"})
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))


class AtelierParser(FlaskParser):
    """webargs parser that raises our errors instead of aborting with its own payload, reads JSON bodies
    through `configurator.bodies` (limits, money keys, unusable text) and refuses in a query string
    the text no body may hold."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req) or not req.get_data(cache=True):
            return missing  # no body: the schema's defaults, or its required fields say what is missing
        return json_body(req)

    def load_querystring(self, req: flask.Request, schema: ma.Schema) -> Any:
        data = super().load_querystring(req, schema)
        refuse_unusable_text({key: req.args.getlist(key) for key in req.args}, "query")
        return data

    def handle_error(
        self,
        error: ma.ValidationError,
        req: flask.Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        messages = error.messages if isinstance(error.messages, dict) else {"json": error.messages}
        errors = errors_by_location(messages)
        fields = list(dict.fromkeys(e.field or "(body)" for e in errors))
        detail = f"Not valid: {', '.join(fields)}." if fields else "The request is not valid."
        raise ValidationFailed(detail, errors=errors) from error


# What every 429 answer carries (configurator.ratelimit sets it).
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait", "required": True, "schema": {"type": "integer"}}
}


class AtelierBlueprint(Blueprint):
    """A flask-smorest Blueprint whose argument errors are `AtelierError`s."""

    ARGUMENTS_PARSER = AtelierParser()
    # Bodies come from shoppers' browsers and partners' pages: money keys in them are refused
    # (configurator.bodies). A blueprint for the merchant's own tools may say otherwise.
    takes_client_bodies: ClassVar[bool] = True

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        # webargs builds a new instance of a schema class for every request it parses, which costs
        # more than parsing a small body; one instance serves every request.
        if isinstance(schema, type) and issubclass(schema, ma.Schema):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


class AtelierApi(Api):
    """flask-smorest Api documenting problem details as the error body of every operation."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        # Same as flask-smorest's, with the problem+json media type for error bodies.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status is http.HTTPStatus.TOO_MANY_REQUESTS:
                response["headers"] = RETRY_AFTER
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def _register_error_handlers(self) -> None:
        # configurator.errors.register_error_handlers installs ours; flask-smorest's would be overridden.
        pass
