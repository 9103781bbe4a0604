"""A shop taking payments through Stripe, on PostgreSQL, against a local stand-in for Stripe's API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_CATALOG
from tests.support.fake_stripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, FakeStripe


@pytest.fixture
def catalog() -> Path:
    return TEST_CATALOG


@pytest.fixture
def retries() -> int:
    return 0


@pytest.fixture
def pg_config(
    pg_config: dict[str, Any], fake_stripe: FakeStripe, catalog: Path, retries: int
) -> dict[str, Any]:
    return {
        **pg_config,
        "ATELIER_CATALOG": str(catalog),
        "ATELIER_PAYMENTS": "stripe",
        "ATELIER_STRIPE_SECRET_KEY": SECRET_KEY,
        "ATELIER_STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "ATELIER_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ATELIER_STRIPE_API_BASE": fake_stripe.url,
        "ATELIER_STRIPE_MAX_NETWORK_RETRIES": retries,
    }
