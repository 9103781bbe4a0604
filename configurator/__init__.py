"""Atelier's web application: `create_app` builds it; nothing happens at import time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import NullSession, SessionInterface, SessionMixin

from configurator import events, locale
from configurator.api import answers, register_api
from configurator.bodies import AtelierRequest
from configurator.catalog import services as catalog_services
from configurator.community import privacy as community_privacy
from configurator.community import sharing
from configurator.config import load_config
from configurator.designs import services as designs
from configurator.errors import register_error_handlers
from configurator.extensions import db, migrate
from configurator.mail.services import (
    queue_idea_update,
    queue_order_confirmation,
    queue_preorder_declined,
    queue_preorder_released,
    withdraw_order_confirmation,
)
from configurator.observability import register_observability
from configurator.orders import services as orders
from configurator.partners.http import register_partners
from configurator.preferences import services as preferences
from configurator.proofs.tasks import queue_proofs
from configurator.recommendations.services import use_consented_designs
from configurator.tasks import celery_init_app
from storefront import register_storefront

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration (env, then `config`), extensions, the catalog, the API, errors."""
    app = Flask(__name__)
    app.request_class = AtelierRequest  # every JSON body read within limits and checked
    app.config.from_mapping(load_config(overrides=config))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep attributes in the merchant's order
    app.session_interface = NoCookieSessions()
    register_extensions(app)
    register_observability(app)  # first: its hooks time and label everything after it
    connect_events()
    # Recommendations learn from consented designs through functions the preferences domain provides.
    use_consented_designs(app, preferences.consented_designs, preferences.consented_designs_stamp)
    register_catalog(app)
    register_http(app)
    register_partners(app)
    register_storefront(
        app,
        shop_name=catalog_services.shop_name,
        share_card=sharing.share_card,
        languages=catalog_services.offered_locales,
        currencies=catalog_services.offered_currencies,
    )
    if app.config["ATELIER_AUTO_SETUP"]:
        set_up_demo(app)
    return app


def connect_events() -> None:
    """Who hears what, in one place. Signals live for the process: connecting again changes nothing,
    so every app built in a process shares these receivers, in this order."""
    events.design_saved.connect(preferences.claim_design, weak=False)
    events.cart_opened.connect(preferences.claim_cart, weak=False)
    events.cart_line_added.connect(preferences.record_added_to_cart, weak=False)
    events.order_paid.connect(queue_order_confirmation, weak=False)
    events.order_paid.connect(queue_proofs, weak=False)
    events.order_paid.connect(preferences.record_order, weak=False)
    for withdrawn in (events.order_cancelled, events.order_refunded):
        withdrawn.connect(withdraw_order_confirmation, weak=False)
    events.idea_status_changed.connect(queue_idea_update, weak=False)
    events.preorder_released.connect(queue_preorder_released, weak=False)
    events.preorder_declined.connect(queue_preorder_declined, weak=False)
    events.shopper_erasing.connect(community_privacy.erase, weak=False)
    events.shopper_exporting.connect(community_privacy.export, weak=False)
    events.uploads_named.connect(designs.uploads_named, weak=False)
    events.uploads_named.connect(orders.uploads_named, weak=False)


class NoCookieSessions(SessionInterface):
    """Atelier keeps nothing in cookies (shoppers carry ids in the API's bodies and headers): no
    request pays for reading or signing a session cookie, and writing to `flask.session` raises."""

    def open_session(self, app: Flask, request: Request) -> NullSession:
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension instances to this app."""
    db.init_app(app)
    celery_init_app(app)
    import configurator.models  # noqa: F401  # every table on db.metadata before Alembic looks

    # Batch mode: SQLite can only alter a table by copying it; Alembic does that when asked to.
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)


def register_catalog(app: Flask) -> None:
    """The live catalog is read from the published versions; compiled products and configure answers
    are cached per process."""
    catalog_services.init_app(app)
    locale.init_app(app, offered=catalog_services.offered_locales)
    answers.init_app(app)


def set_up_demo(app: Flask) -> None:
    """The embedded demo prepares itself: its database schema is brought up to date and the catalog
    folder is published (a no-op when nothing changed). Production does both explicitly
    (`atelier db upgrade`, `atelier rules publish`)."""
    from flask_migrate import upgrade

    from configurator.catalog import versions

    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        versions.publish_folder(app.config["ATELIER_CATALOG"])


def register_http(app: Flask) -> None:
    """The API blueprints and OpenAPI document, then our problem-details handlers over flask-smorest's."""
    register_api(app)
    register_error_handlers(app)
    app.after_request(revalidate_json)


def revalidate_json(response: Response) -> Response:
    """JSON answers are live (votes, stock, a design's credits): a browser may keep one but must ask
    again before showing it, also on Back, unless the endpoint said otherwise (previews are immutable,
    private answers are not stored at all)."""
    if response.mimetype in ("application/json", "application/problem+json"):
        response.headers.setdefault("Cache-Control", "no-cache")
    return response
