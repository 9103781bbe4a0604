"""The merchant's insights dashboard: a shell page whose script asks for an admin token and reads the
admin JSON API with it. The page itself holds no data, so it needs no login of its own."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

blp = Blueprint("admin_pages", __name__, template_folder="templates")


@blp.after_request
def _headers(response: Response) -> Response:
    # The token typed here must not leak: no framing, no referrer, scripts only from this origin.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'none'",
    )
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blp.route("/admin/insights")
def insights() -> str:
    """Charts of one product's insights (popularity, funnel, blocked demand, trends)."""
    return render_template("admin_insights.html")
