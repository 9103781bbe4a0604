"""Which payment provider the app takes, and the configurations it refuses to start with."""

from __future__ import annotations

from typing import Any

import pytest

from configurator.config import load_config
from configurator.errors import ConfigurationError

PRODUCTION = {
    "ATELIER_MODE": "production",
    "ATELIER_SECRET_KEY": "k",
    "ATELIER_DATABASE_URL": "postgresql+psycopg://db/atelier",
}
STRIPE_KEYS = {
    "ATELIER_STRIPE_SECRET_KEY": "sk_live_x",
    "ATELIER_STRIPE_PUBLISHABLE_KEY": "pk_live_x",
    "ATELIER_STRIPE_WEBHOOK_SECRET": "whsec_x",
}


def test_the_demo_takes_offline_test_payments() -> None:
    assert load_config(environ={})["ATELIER_PAYMENTS"] == "offline"


def test_production_takes_stripe_payments() -> None:
    config = load_config(environ={**PRODUCTION, **STRIPE_KEYS})

    assert config["ATELIER_PAYMENTS"] == "stripe"
    assert config["ATELIER_STRIPE_API_BASE"] == "https://api.stripe.com"
    assert config["ATELIER_STRIPE_MAX_NETWORK_RETRIES"] == 2


def test_production_refuses_offline_payments() -> None:
    with pytest.raises(ConfigurationError, match="ATELIER_PAYMENTS=stripe"):
        load_config(environ={**PRODUCTION, **STRIPE_KEYS, "ATELIER_PAYMENTS": "offline"})


@pytest.mark.parametrize("missing", sorted(STRIPE_KEYS))
@pytest.mark.parametrize("mode", [{}, PRODUCTION])
def test_stripe_needs_its_three_keys(mode: dict[str, str], missing: str) -> None:
    keys = {k: v for k, v in STRIPE_KEYS.items() if k != missing}

    with pytest.raises(ConfigurationError, match=missing):
        load_config(environ={**mode, **keys, "ATELIER_PAYMENTS": "stripe"})


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("ATELIER_STRIPE_SECRET_KEY", "pk_live_x"),
        ("ATELIER_STRIPE_PUBLISHABLE_KEY", "sk_live_x"),
        ("ATELIER_STRIPE_WEBHOOK_SECRET", "sk_live_x"),
    ],
)
def test_swapped_stripe_keys_are_refused(setting: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=setting):
        load_config(environ={**PRODUCTION, **STRIPE_KEYS, setting: value})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ATELIER_PAYMENTS": "paypal"}, "ATELIER_PAYMENTS"),
        ({"ATELIER_STRIPE_MAX_NETWORK_RETRIES": "many"}, "whole number"),
        ({"ATELIER_STRIPE_MAX_NETWORK_RETRIES": -1}, "at least 0"),
    ],
)
def test_nonsense_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_config(environ={}, overrides=overrides)


def test_retries_from_the_environment_are_a_number() -> None:
    config = load_config(environ={"ATELIER_STRIPE_MAX_NETWORK_RETRIES": "0"})

    assert config["ATELIER_STRIPE_MAX_NETWORK_RETRIES"] == 0
