"""Insights for the merchant under /api/v1/admin/insights: one product's counts, as JSON or CSV.

Counts only (no order, shopper or contact details), so they need their own scope, `insights:read`:
a token for a dashboard or an analyst need not be able to read orders.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView

from configurator.admin.auth import AdminBlueprint
from configurator.api.admin import csv_cell
from configurator.api.insights_schemas import InsightsQuerySchema, InsightsReportSchema
from configurator.dbtypes import utcnow
from configurator.insights import services
from configurator.insights.community import Community
from configurator.tasks import is_eager

SCOPE = "insights:read"
CSV_FIELDS = (
    "section",
    "partner",
    "attribute",
    "option",
    "other_attribute",
    "other_option",
    "rule",
    "message",
    "stage",
    "day",
    "count",
    "value",
)

blp = AdminBlueprint(
    "insights",
    __name__,
    url_prefix="/api/v1/admin/insights",
    description="Insights per product: popularity, pairs, funnel, blocked demand, trends (admin token)",
)


# A shop whose tasks run in its own process (the demo) has no beat to recount every hour: reading
# insights recounts today when its counts are older than this.
RECOUNT_ON_READ_AFTER = timedelta(minutes=1)


def _report(product: str, args: dict[str, Any]) -> services.Report:
    services.require_product(product)
    if is_eager(current_app):
        services.recount_today_if_older_than(RECOUNT_ON_READ_AFTER)
    return services.report(product, args["days"], args.get("partner"))


def _links(product: str, args: dict[str, Any]) -> dict[str, str]:
    query = {key: args[key] for key in ("days", "partner") if args.get(key) is not None}
    return {
        "self": url_for("insights.InsightsReport", product=product, **query),
        "csv": url_for("insights.InsightsCsv", product=product, **query),
    }


def report_data(found: services.Report) -> dict[str, Any]:
    """The report as the JSON body: dataclasses as objects, series as {day, count} points."""
    data = asdict(found)
    trends = [*data["trends"], *([data["community"]["votes"]] if data["community"] else [])]
    for trend in trends:
        trend["series"] = [{"day": day, "count": count} for day, count in trend["series"]]
    return data


def csv_rows(found: services.Report) -> Iterator[dict[str, Any]]:
    """The report flattened to one record per number, each tagged with its section."""
    for attribute in found.popularity:
        for o in attribute.options:
            for stage, count in (("picked", o.picked), ("refused", o.refused), ("ordered", o.ordered)):
                yield {
                    "section": "popularity",
                    "attribute": attribute.attribute,
                    "option": o.option,
                    "stage": stage,
                    "count": count,
                    "value": o.share if stage == "ordered" else None,
                }
    for pair in found.pairs:
        yield {
            "section": "pairs",
            "attribute": pair.attribute,
            "option": pair.option,
            "other_attribute": pair.other_attribute,
            "other_option": pair.other_option,
            "count": pair.count,
            "value": pair.lift,
        }
    for funnel in [found.funnel, *found.funnel_by_partner]:
        section = "funnel" if funnel is found.funnel else "funnel_by_partner"
        for step in funnel.steps:
            yield {
                "section": section,
                "partner": funnel.partner,
                "stage": step.stage,
                "count": step.shoppers,
                "value": step.rate,
            }
        yield {"section": section, "partner": funnel.partner, "stage": "paid_orders", "count": funnel.orders}
    for blocked in found.blocked:
        yield {
            "section": "blocked",
            "rule": blocked.rule,
            "message": blocked.message,
            "attribute": blocked.attribute,
            "option": blocked.option,
            "count": blocked.count,
        }
    for trend in found.trends:
        for day, count in trend.series:
            yield {"section": "trend", "stage": trend.metric, "day": day.isoformat(), "count": count}
    if found.community is not None:
        yield from community_rows(found.community)


def community_rows(found: Community) -> Iterator[dict[str, Any]]:
    """The community section: counts by status, votes per day, the most voted, the campaigns."""
    for section, by_status in (("gallery", found.entries), ("ideas", found.ideas)):
        for status, count in sorted(by_status.items()):
            yield {"section": section, "stage": status, "count": count}
    for day, count in found.votes.series:
        yield {"section": "trend", "stage": "votes", "day": day.isoformat(), "count": count}
    for section, ranked in (("top_entries", found.top_entries), ("top_ideas", found.top_ideas)):
        for item in ranked:
            yield {
                "section": section,
                "option": item.id,
                "message": item.title,
                "stage": item.status,
                "count": item.votes,
            }
    for campaign in found.campaigns:
        yield {
            "section": "campaign",
            "option": campaign.id,
            "message": campaign.title,
            "stage": campaign.status,
            "count": campaign.reserved if campaign.reserved is not None else campaign.votes,
            "value": campaign.threshold,
        }


def csv_text(found: services.Report) -> str:
    """The CSV file: a header, then `csv_rows`; every text cell defused against formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for row in csv_rows(found):
        writer.writerow([csv_cell(row.get(name)) for name in CSV_FIELDS])
    return buffer.getvalue()


@blp.route("/<product>")
class InsightsReport(MethodView):
    @blp.requires(SCOPE)
    @blp.arguments(InsightsQuerySchema, location="query")
    @blp.response(200, InsightsReportSchema)
    @blp.alt_response(404, response="NOT_FOUND", description="No such product, or no such partner")
    def get(self, args: dict[str, Any], product: str) -> dict[str, Any]:
        """One product's popularity, pairs, funnel (in all and per partner), blocked demand and trends
        over the last `days` UTC days, from the counts the hourly task keeps."""
        return {**report_data(_report(product, args)), "links": _links(product, args)}


@blp.route("/<product>/export.csv")
class InsightsCsv(MethodView):
    @blp.requires(SCOPE)
    @blp.arguments(InsightsQuerySchema, location="query")
    @blp.response(
        200,
        {"type": "string"},
        content_type="text/csv",
        description="One record per number, tagged by section; text cells starting with = + - @ get a '",
    )
    @blp.alt_response(404, response="NOT_FOUND", description="No such product, or no such partner")
    def get(self, args: dict[str, Any], product: str) -> Response:
        """The same report as CSV, for spreadsheets."""
        found = _report(product, args)
        name = f"insights-{utcnow().strftime('%Y%m%d')}-{found.days}d.csv"
        return Response(
            csv_text(found),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )
