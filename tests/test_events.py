"""Domain events: who hears what is connected once, by the app factory."""

from __future__ import annotations

from configurator import create_app, events


def receivers() -> dict[str, int]:
    create_app({"ATELIER_AUTO_SETUP": False, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {name: len(signal.receivers) for name, signal in events.signals.items()}


def test_every_app_built_in_a_process_shares_one_set_of_receivers() -> None:
    # Building apps again (as tests, workers and the CLI do) must not make a fact heard twice.
    assert (
        receivers()
        == receivers()
        == {
            "order-paid": 3,
            "order-cancelled": 1,
            "order-refunded": 1,
            "design-saved": 1,
            "cart-opened": 1,
            "cart-line-added": 1,
            "uploads-named": 2,
            "idea-status-changed": 1,
            "shopper-erasing": 1,
            "shopper-exporting": 1,
            "preorder-released": 1,
            "preorder-declined": 1,
        }
    )
