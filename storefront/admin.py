"""The merchant's pages (the insights dashboard, the community's moderation, campaigns, availability):
shells whose scripts ask for an admin token and read the admin JSON API with it. The pages themselves
hold no data, so they need no login of their own."""

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


@blp.route("/admin/community")
def community() -> str:
    """The gallery's moderation queue (approve, reject, unpublish) and the ideas' statuses."""
    return render_template("admin_community.html")


@blp.route("/admin/campaigns")
def campaigns() -> str:
    """Votes and limited editions: start them, follow them, close them, publish a vote's winner."""
    return render_template("admin_campaigns.html")


@blp.route("/admin/availability")
def availability() -> str:
    """Every option of the live products: sold out, paused until a moment, or back on sale, at once."""
    return render_template("admin_availability.html")
