"""The whole OpenAPI fuzzed against PostgreSQL: random input must never reach the database in a form
it refuses (NUL bytes, over-long values, out-of-range integers) and come back as a 5xx. The in-process
run in tests/api uses SQLite, which accepts what PostgreSQL refuses."""

from __future__ import annotations

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and mode: about 2,300 requests for the 76 operations, the long run's job being depth.
EXAMPLES = 15


def test_no_server_error_on_postgres(pg_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", pg_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        # Valid input must get a documented answer; invalid input at least never a server error.
        for mode, checks in (
            (GenerationMode.POSITIVE, CHECKS),
            (GenerationMode.NEGATIVE, [not_a_server_error]),
        ):

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
            )
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(checks=checks)  # noqa: B023  # run at once, in this iteration

            try:
                fuzz()
            except Unsatisfiable:
                # Nothing to break: the operation takes no input (a GET without parameters).
                assert mode is GenerationMode.NEGATIVE
