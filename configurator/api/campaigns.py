"""The campaigns API: shoppers vote on what the shop makes next and pre-order limited editions; the
merchant creates campaigns, seeds votes from blocked demand, reads results and closes them.

A shop whose tasks run in its own process (the demo) has no beat to close campaigns at their
deadline: reading campaigns closes those that are due first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from sqlalchemy import func, select

from configurator.admin import rulesets
from configurator.admin.auth import AdminBlueprint, authorize
from configurator.api.admin import rule_set_answer
from configurator.api.campaign_schemas import (
    AdminCampaignListSchema,
    AdminCampaignSchema,
    CampaignCloseSchema,
    CampaignCreateSchema,
    CampaignDetailQuerySchema,
    CampaignListSchema,
    CampaignQuerySchema,
    CampaignSchema,
    PreOrderCreateSchema,
    PreOrderSchema,
    SeedListSchema,
    WinnerResultSchema,
    WinnerSchema,
)
from configurator.api.community import required_shopper
from configurator.api.credits import design_credits
from configurator.catalog.services import live_version, quote_data, resolve_currency
from configurator.community import campaigns
from configurator.community.errors import CampaignNotOpen
from configurator.community.models import Campaign, CampaignKind, CampaignStatus, Candidate, PreOrder
from configurator.community.tasks import close_due, settle
from configurator.dbtypes import utcnow
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.errors import FieldError, ValidationFailed
from configurator.extensions import db
from configurator.insights import services as insights
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from configurator.orders.models import Order
from configurator.payments import services as payments
from configurator.preferences.models import Shopper
from configurator.preferences.services import consenting_shopper
from configurator.previews import services as previews
from configurator.publishing import additions
from configurator.ratelimit import limit
from configurator.requester import current_device
from configurator.tasks import is_eager
from configurator.wording import CAMPAIGN_STILL_OPEN
from rules.money import round_money

MANAGE = "campaigns:manage"
VOTES_PER_MINUTE = 30
PREORDERS_PER_MINUTE = 10
# How far back blocked demand is read to seed a vote.
SEED_DAYS = 90

blp = AtelierBlueprint(
    "campaigns",
    __name__,
    url_prefix="/api/v1",
    description="Campaigns: vote on what the shop makes next, pre-order limited editions",
)
blp.after_request(mark_request_language)
admin_blp = AdminBlueprint(
    "campaigns_admin",
    __name__,
    url_prefix="/api/v1/admin/campaigns",
    description="Running campaigns: votes and limited editions (admin token)",
)


def _close_due_in_process() -> None:
    if is_eager(current_app):
        close_due()


def _preview(design: Design, language: str) -> dict[str, Any] | None:
    checked = designs.check(design.choices, live_version(design.product_key))
    if not checked.valid:
        return None
    return previews.links(checked.stored.id, checked.product, checked.design, language)


def campaign_data(
    campaign: Campaign,
    viewer: Shopper | None,
    *,
    currency: str | None = None,
    seed: int | None = None,
    merchant: bool = False,
) -> dict[str, Any]:
    language = request_locale()
    running = campaigns.is_running(campaign)
    chosen = campaigns.campaign_candidates(campaign, shuffle=not merchant, seed=seed)
    counted = dict((c.id, n) for c, n in campaigns.results(campaign)) if (merchant or not running) else {}
    voted = campaigns.voted_candidates(campaign, viewer)
    return {
        "id": campaign.public_id,
        "kind": campaign.kind,
        "status": campaign.status,
        "running": running,
        "product": campaign.product_key,
        "title": campaign.title,
        "description": campaign.description,
        "opens_at": campaign.opens_at,
        "closes_at": campaign.closes_at,
        "closed_at": campaign.closed_at,
        "candidates": [
            _candidate(campaign, c, c.id in voted, counted.get(c.id), merchant, language) for c in chosen
        ],
        "edition": _edition(campaign, currency, language),
        "links": {
            "self": url_for("campaigns.OneCampaign", campaign_id=campaign.public_id),
            "page": f"/campaigns/{campaign.public_id}",
            **(
                {"preorders": url_for("campaigns.PreOrders", campaign_id=campaign.public_id)}
                if campaign.kind == CampaignKind.EDITION
                else {}
            ),
        },
    }


def _candidate(
    campaign: Campaign, candidate: Candidate, voted: bool, votes: int | None, merchant: bool, language: str
) -> dict[str, Any]:
    return {
        "id": candidate.public_id,
        "label": candidate.label,
        "attribute": candidate.attribute,
        "option": candidate.option_key,
        "design": candidate.design.public_id if candidate.design is not None else None,
        "preview": _preview(candidate.design, language) if candidate.design is not None else None,
        "voted": voted,
        "votes": votes,
        "note": candidate.note if merchant else None,
        "links": {
            "vote": url_for(
                "campaigns.CandidateVote", campaign_id=campaign.public_id, candidate_id=candidate.public_id
            )
        },
    }


def _edition(campaign: Campaign, currency: str | None, language: str) -> dict[str, Any] | None:
    design = campaign.design
    if campaign.kind != CampaignKind.EDITION or design is None:
        return None
    checked = designs.check(design.choices, live_version(design.product_key))
    price = None
    if checked.valid:
        chosen = resolve_currency(checked.product.model.brand, currency, language)
        price = quote_data(checked.product.price(checked.design, 1, chosen), language)
    reserved = campaigns.reserved_quantity(campaign)
    return {
        "design": design.public_id,
        "preview": _preview(design, language),
        "price": price,
        "threshold": campaign.threshold,
        "max_quantity": campaign.max_quantity,
        "reserved": reserved,
        "left": max((campaign.max_quantity or 0) - reserved, 0),
        "credits": design_credits(design),
    }


def preorder_data(found: PreOrder, order: Order, card: Any | None = None) -> dict[str, Any]:
    campaign = db.session.get(Campaign, found.campaign_id)
    assert campaign is not None
    active = payments.provider()
    return {
        "status": found.status,
        "quantity": found.quantity,
        "campaign": campaign.public_id,
        "order": order.token,
        "order_number": order.number,
        "total": str(round_money(order.total, order.currency)),
        "currency": order.currency,
        "card": (
            {
                "provider": active.name,
                "client_secret": card.client_secret,
                "publishable_key": active.publishable_key,
                "test": active.test,
            }
            if card is not None
            else None
        ),
        "links": {
            "complete": url_for("campaigns.PreOrderComplete", order_token=order.token),
            "order": f"/orders/{order.token}",
        },
    }


# --- shoppers ---------------------------------------------------------------------------------------


@blp.route("/campaigns")
class Campaigns(MethodView):
    @blp.arguments(CampaignQuerySchema, location="query")
    @blp.response(200, CampaignListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Campaigns in one status (open ones without it), closing soonest first."""
        _close_due_in_process()
        statuses = [args["status"]] if args["status"] is not None else [CampaignStatus.OPEN]
        viewer = consenting_shopper()
        return {"items": [campaign_data(c, viewer) for c in campaigns.listing(statuses, args["product"])]}


@blp.route("/campaigns/<campaign_id>")
class OneCampaign(MethodView):
    @blp.arguments(CampaignDetailQuerySchema, location="query")
    @blp.response(200, CampaignSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """A campaign: its candidates in a shuffled order (`seed` keeps one) with vote counts once it
        has closed, or its edition's progress."""
        _close_due_in_process()
        return campaign_data(
            campaigns.find(campaign_id), consenting_shopper(), currency=args["currency"], seed=args["seed"]
        )


@blp.route("/campaigns/<campaign_id>/candidates/<candidate_id>/vote")
class CandidateVote(MethodView):
    @blp.response(200, CampaignSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("votes", per_minute=VOTES_PER_MINUTE)
    def put(self, campaign_id: str, candidate_id: str) -> dict[str, Any]:
        """Vote for a candidate (once; vote for as many candidates as you like)."""
        shopper = required_shopper()
        campaign = campaigns.find(campaign_id)
        campaigns.vote(shopper, campaign, campaigns.candidate(campaign, candidate_id), current_device())
        return campaign_data(campaign, shopper)

    @blp.response(200, CampaignSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("votes", per_minute=VOTES_PER_MINUTE)
    def delete(self, campaign_id: str, candidate_id: str) -> dict[str, Any]:
        shopper = required_shopper()
        campaign = campaigns.find(campaign_id)
        campaigns.unvote(shopper, campaign, campaigns.candidate(campaign, candidate_id))
        return campaign_data(campaign, shopper)


@blp.route("/campaigns/<campaign_id>/preorders")
class PreOrders(MethodView):
    @blp.arguments(PreOrderCreateSchema)
    @blp.response(201, PreOrderSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("preorders", per_minute=PREORDERS_PER_MINUTE)
    def post(self, body: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """Pre-order pieces of a limited edition: nothing is charged now. Save your card (Stripe.js
        `confirmSetup` with `card.client_secret`, or nothing for test cards), then call
        `links.complete`. If the edition reaches its threshold by its deadline, your card is charged
        and the piece is made; otherwise nothing is charged."""
        started = campaigns.preorder(
            campaigns.find(campaign_id), body["quantity"], body["currency"], body["contact"], request_locale()
        )
        return preorder_data(started.preorder, started.order, started.card)


@blp.route("/preorders/<order_token>/complete")
class PreOrderComplete(MethodView):
    @blp.response(200, PreOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, order_token: str) -> dict[str, Any]:
        """You have saved your card: the shop asks the payment provider and holds your place."""
        found, order = campaigns.confirm_card(order_token)
        return preorder_data(found, order)


# --- the merchant -----------------------------------------------------------------------------------


def admin_data(campaign: Campaign) -> dict[str, Any]:
    data = campaign_data(campaign, None, merchant=True)
    data["results"] = [
        {"candidate": c.public_id, "label": c.label, "votes": n} for c, n in campaigns.results(campaign)
    ]
    rows = db.session.execute(
        select(PreOrder.status, func.count(), func.coalesce(func.sum(PreOrder.quantity), 0))
        .where(PreOrder.campaign_id == campaign.id)
        .group_by(PreOrder.status)
        .order_by(PreOrder.status)
    ).all()
    data["preorders"] = [{"status": s, "preorders": int(n), "pieces": int(q)} for s, n, q in rows]
    return data


@admin_blp.route("")
class AdminCampaigns(MethodView):
    @admin_blp.requires(MANAGE)
    @admin_blp.arguments(CampaignQuerySchema, location="query")
    @admin_blp.response(200, AdminCampaignListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every campaign in one status (all without it), with results and pre-order counts."""
        _close_due_in_process()
        statuses = [args["status"]] if args["status"] is not None else list(CampaignStatus)
        return {"items": [admin_data(c) for c in campaigns.listing(statuses, args["product"])]}

    @admin_blp.requires(MANAGE)
    @admin_blp.arguments(CampaignCreateSchema)
    @admin_blp.response(201, AdminCampaignSchema)
    @admin_blp.alt_response(404, response="NOT_FOUND")
    @admin_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Start a vote (a product and its candidates) or a limited edition (a design, a threshold
        and a maximum)."""
        opens_at = body["opens_at"] or utcnow() - timedelta(seconds=1)
        if body["kind"] is CampaignKind.VOTE:
            made = campaigns.create_vote(
                body["product"],
                body["title"],
                body["description"],
                opens_at,
                body["closes_at"],
                [campaigns.CandidateSpec(**c) for c in body["candidates"]],
            )
        else:
            made = campaigns.create_edition(
                body["design"],
                body["title"],
                body["description"],
                opens_at,
                body["closes_at"],
                body["threshold"],
                body["max_quantity"],
            )
        return admin_data(made)


@admin_blp.route("/<campaign_id>")
class AdminCampaign(MethodView):
    @admin_blp.requires(MANAGE)
    @admin_blp.response(200, AdminCampaignSchema)
    @admin_blp.alt_response(404, response="NOT_FOUND")
    def get(self, campaign_id: str) -> dict[str, Any]:
        _close_due_in_process()
        return admin_data(campaigns.find(campaign_id))


@admin_blp.route("/<campaign_id>/close")
class AdminCampaignClose(MethodView):
    @admin_blp.requires(MANAGE)
    @admin_blp.arguments(CampaignCloseSchema)
    @admin_blp.response(200, AdminCampaignSchema)
    @admin_blp.alt_response(404, response="NOT_FOUND")
    def post(self, body: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """Close now (an edition is decided on what is reserved so far) or call it off (`cancel`:
        nobody is charged). A campaign already decided stays as it is."""
        closed = campaigns.close(campaigns.find(campaign_id).id, early=True, cancel=body["cancel"])
        settle(closed)
        return admin_data(campaigns.find(campaign_id))


@admin_blp.route("/<campaign_id>/winner")
class AdminCampaignWinner(MethodView):
    @admin_blp.requires(MANAGE)
    @admin_blp.arguments(WinnerSchema)
    @admin_blp.response(200, WinnerResultSchema)
    @admin_blp.alt_response(403, response="FORBIDDEN")
    @admin_blp.alt_response(404, response="NOT_FOUND")
    @admin_blp.alt_response(409, response="CONFLICT")
    @admin_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """Make a closed vote's winning option a real one: the product's next version with the option
        added, checked (what it would change) or, with `publish`, published like any rule set."""
        campaign = campaigns.find(campaign_id)
        if campaign.status != CampaignStatus.CLOSED:
            raise CampaignNotOpen(CAMPAIGN_STILL_OPEN)
        chosen = campaigns.candidate(campaign, body["candidate"])
        if chosen.attribute is None or chosen.option_key is None:
            raise ValidationFailed(
                "This candidate is a design, not an option: start an edition of it instead.",
                errors=[FieldError("candidate", "Choose a candidate that is a new option.")],
            )
        labels = {"en": chosen.label, **body["labels"]}
        following = additions.with_option(campaign.product_key, chosen.attribute, chosen.option_key, labels)
        if body["publish"]:
            authorize("catalog:publish")
            answer = rulesets.publish(following.files, following.assets)
        else:
            answer = rulesets.dry_run(following.files, following.assets)
        return {
            "product_file": following.product_file,
            "file": following.files[following.product_file],
            "rule_set": rule_set_answer(answer),
        }


@admin_blp.route("/seeds/<product>")
class AdminSeeds(MethodView):
    @admin_blp.requires(MANAGE)
    @admin_blp.response(200, SeedListSchema)
    @admin_blp.alt_response(404, response="NOT_FOUND")
    def get(self, product: str) -> dict[str, Any]:
        """Candidates for a vote from blocked demand: options shoppers wanted and a rule refused, most
        wanted first ("23 shoppers tried walnut: ..."), ready to post as a vote's candidates."""
        insights.require_product(product)
        report = insights.report(product, SEED_DAYS, None, locale=request_locale())
        # A try refused by several rules is credited to each: one seed per option, its busiest rule.
        seeds: dict[tuple[str, str], Any] = {}
        for blocked in report.blocked:
            key = (blocked.attribute, blocked.option)
            if key not in seeds or blocked.count > seeds[key].count:
                seeds[key] = blocked
        return {
            "items": [
                {
                    "label": f"{b.option_label} ({b.attribute_label})",
                    "attribute": b.attribute,
                    "option": b.option,
                    "note": f"{b.count} tries refused in {SEED_DAYS} days"
                    + (f": {b.message}" if b.message else ""),
                    "shoppers": b.count,
                }
                for b in sorted(seeds.values(), key=lambda b: -b.count)
            ]
        }
