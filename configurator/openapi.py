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

from configurator.bodies import json_body, location_data, pick_labels, refuse_unusable_text, value_at
from configurator.errors import PROBLEM_JSON, FieldError, ValidationFailed, errors_by_location
from configurator.locale import request_locale
from configurator.wording import Problem, classify, field_label, please_check, pointer_path, shopper_sentence
from rules.model import Localized


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(required=True, metadata={"description": "Dotted path, e.g. picks.colour"})
    pointer = ma.fields.String(
        metadata={"description": "The same path as a JSON pointer (RFC 6901), e.g. /picks/colour"}
    )
    location = ma.fields.String(
        required=True, metadata={"enum": ["body", "query", "path", "header", "cookie"]}
    )
    detail = ma.fields.String(
        required=True,
        metadata={"description": "For shoppers, in the answer's language; names the field, never its path"},
    )
    code = ma.fields.String()
    technical_detail = ma.fields.String(
        metadata={
            "description": "For integrators, not shoppers: the validator's own message, or the code point "
            "of a refused character"
        }
    )


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only: errors.problem_response renders them)."""

    type = ma.fields.String(required=True, metadata={"description": "urn:atelier:problem:<code>"})
    title = ma.fields.String(
        required=True, metadata={"description": "For shoppers, in the answer's language"}
    )
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(metadata={"description": "For shoppers, in the answer's language"})
    instance = ma.fields.String()
    code = ma.fields.String(required=True, metadata={"description": "Stable error code"})
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))
    technical_detail = ma.fields.String(
        metadata={"description": "For integrators, not shoppers: why the whole request was refused"}
    )


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
        locale = request_locale()
        errors: list[FieldError] = []
        labels: list[Localized] = []
        for technical in errors_by_location(messages):
            path = pointer_path(technical.pointer or "")
            value = value_at(location_data(req, technical.location), path)
            problem = classify(technical.detail, value)
            if path and problem.kind == "unreadable":  # a nested object of the wrong type
                problem = Problem("type")
            label = field_label(path, pick_labels(req, location_data(req, "body")))
            labels.append(label)
            sentence = shopper_sentence(problem, label, items=isinstance(value, list))
            errors.append(
                FieldError(
                    technical.field,
                    sentence.get(locale),
                    technical.location,
                    code=problem.kind,
                    technical_detail=technical.detail,
                )
            )
        detail = Localized({locale: errors[0].detail}) if len(errors) == 1 else please_check(labels)
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


# Unbound until `configurator.api.register_api` binds it to the app.
api = AtelierApi()
