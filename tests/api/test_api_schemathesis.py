"""Property-based conformance of the API to its own OpenAPI document (schemathesis, in-process).

Purely random slugs and picks would only ever meet 404 and 422, so besides schemathesis' own data the
cases also use the test catalog's real products with picks drawn from their attributes: the rules
engine then answers through HTTP, and nothing it says may be a 5xx or break the document.

Each commit runs a short pass (`make test`); CI then runs a long one as a separate step (`make fuzz`,
which sets `ATELIER_FUZZ_EXAMPLES`, the examples per operation).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from configurator import create_app  # noqa: E402
from configurator.catalog.services import current_catalog  # noqa: E402
from rules.model import Attribute, AttributeKind  # noqa: E402

TEST_CATALOG = Path(__file__).parents[1] / "fixtures" / "catalog"
DEFAULT_EXAMPLES = 25  # per operation, on every commit


def examples_per_operation(environ: Mapping[str, str] = os.environ) -> int:
    """ATELIER_FUZZ_EXAMPLES when set (the long run), else the short run's number."""
    value = environ.get("ATELIER_FUZZ_EXAMPLES") or str(DEFAULT_EXAMPLES)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"ATELIER_FUZZ_EXAMPLES must be a positive whole number, not {value!r}")
    return int(value)


EXAMPLES = examples_per_operation()
APP = create_app(
    {
        "TESTING": True,
        "ATELIER_CATALOG": str(TEST_CATALOG),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SECRET_KEY": "test-secret",
    }
)
with APP.app_context():
    PRODUCTS = current_catalog().products
OWNER = {attribute.key: key for key, product in PRODUCTS.items() for attribute in product.model.attributes}
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


def pick_values(attribute: Attribute) -> st.SearchStrategy[Any]:
    """Values a shopper could send for this attribute, valid or a little off."""
    keys = [option.key for option in attribute.options]
    if attribute.kind is AttributeKind.MULTI:
        return st.lists(st.sampled_from(keys), unique=True, max_size=len(keys))
    if attribute.kind is AttributeKind.NUMBER:
        assert attribute.minimum is not None
        assert attribute.maximum is not None
        return st.integers(attribute.minimum - 1, attribute.maximum + 1)
    if attribute.kind is AttributeKind.BOOLEAN:
        return st.booleans()
    if attribute.kind is AttributeKind.TEXT:
        return st.text(max_size=24) | st.sampled_from(["Sam", "RIVALCO", "r1valco", "Love, Mum & Dad!"])
    return st.sampled_from(keys)


def realistic_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Configure bodies for one real product: a few of its attributes with plausible values."""

    def for_product(key: str) -> st.SearchStrategy[dict[str, Any]]:
        attributes = PRODUCTS[key].model.attributes
        picks = st.fixed_dictionaries({}, optional={a.key: pick_values(a) for a in attributes})
        return st.fixed_dictionaries(
            {"picks": picks},
            optional={"currency": st.sampled_from(["EUR", "USD", "JPY"]), "quantity": st.integers(1, 60)},
        )

    return st.sampled_from(sorted(PRODUCTS)).flatmap(for_product)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not path_parameters or "slug" not in path_parameters:
        return st.just(path_parameters)
    slugs = st.sampled_from([*sorted(PRODUCTS), path_parameters["slug"]])
    return slugs.map(lambda slug: {**path_parameters, "slug": slug})


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    if not isinstance(body, dict):
        return st.just(body)
    return st.just(body) | realistic_bodies()


@schema.hook
def map_case(context: Any, case: Any) -> Any:
    # Send realistic picks to the product they belong to (attribute keys are unique to one product).
    picks = case.body.get("picks") if isinstance(case.body, dict) else None
    if isinstance(picks, dict) and picks and case.path_parameters and next(iter(picks)) in OWNER:
        case.path_parameters["slug"] = OWNER[next(iter(picks))]
    return case


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
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


def test_the_number_of_examples_comes_from_the_environment() -> None:
    assert examples_per_operation({}) == DEFAULT_EXAMPLES
    assert examples_per_operation({"ATELIER_FUZZ_EXAMPLES": "400"}) == 400
    for wrong in ("0", "-5", "many", "1.5"):
        with pytest.raises(ValueError, match="ATELIER_FUZZ_EXAMPLES"):
            examples_per_operation({"ATELIER_FUZZ_EXAMPLES": wrong})
