"""Property-based conformance of the API to its own OpenAPI document (schemathesis, in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from configurator import create_app  # noqa: E402

TEST_CATALOG = Path(__file__).parents[1] / "fixtures" / "catalog"
APP = create_app(
    {
        "TESTING": True,
        "ATELIER_CATALOG": str(TEST_CATALOG),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SECRET_KEY": "test-secret",
    }
)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


# What the document promises: no 5xx, and every answer matches its declared status, media type and schema.
# (positive_data_acceptance is left out: a pick the schema allows may still name no real attribute.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
