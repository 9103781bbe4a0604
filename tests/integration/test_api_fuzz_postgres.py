"""The whole OpenAPI fuzzed against PostgreSQL: random input must never reach the database in a form
it refuses (NUL bytes, over-long values, out-of-range integers) and come back as a 5xx. The in-process
run in tests/api uses SQLite, which accepts what PostgreSQL refuses."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Valid input must get a documented answer; invalid input at least never a server error.
CHECKS = {
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ],
    GenerationMode.NEGATIVE: [not_a_server_error],
}
# Per operation, valid and invalid input drawn together: about 2,200 requests for the 76 operations,
# the long run's job (`make fuzz`, on SQLite) being depth.
EXAMPLES = 30


@pytest.mark.slow
def test_no_server_error_on_postgres(pg_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", pg_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    seen: dict[GenerationMode, int] = dict.fromkeys(GenerationMode, 0)
    for operation in operations:
        # One strategy for both modes, as schemathesis' own tests draw them: an operation whose only
        # input is a free-form path segment has no invalid input at all, and a search for it alone
        # would only end, empty-handed, after hundreds of rejected draws.
        cases = st.one_of([operation.as_strategy(mode) for mode in GenerationMode])

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def fuzz(case: schemathesis.Case) -> None:
            assert case.meta is not None
            mode = case.meta.generation.mode
            seen[mode] += 1  # noqa: B023  # run at once, in this iteration
            case.call_and_validate(checks=CHECKS[mode])

        fuzz()
    # Both kinds of input reached the database, neither crowded out by the other in the one strategy
    assert seen[GenerationMode.POSITIVE] >= len(operations)
    assert seen[GenerationMode.NEGATIVE] >= len(operations)
