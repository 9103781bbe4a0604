"""Admin tokens for API tests: made through the service, handed back as request headers."""

from __future__ import annotations

from flask import Flask


def admin_headers(app: Flask, *scopes: str, name: str = "test-admin") -> dict[str, str]:
    """`Authorization` headers for a new token with these scopes (every scope when none is given)."""
    from configurator.admin import services
    from configurator.extensions import db

    with app.app_context():
        created = services.create_token(name, scopes or list(services.SCOPES))
        db.session.remove()
    return {"Authorization": f"Bearer {created.plain}"}
