"""The community API: the gallery (publish, browse, vote, report, start from a design) and the idea
board (suggest, vote, follow) for shoppers; moderation and idea statuses for the merchant.

Everything a shopper does here is kept against their pseudonymous id and needs their consent (the
`X-Atelier-Shopper` header of a consenting shopper); browsing needs nothing. Votes and reports are
only PUT and POST: no link a page or a chat shows can cast one.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from configurator.admin.auth import AdminBlueprint
from configurator.api.community_schemas import (
    AdminIdeaListSchema,
    AdminIdeaQuerySchema,
    DecisionSchema,
    EntryListSchema,
    EntrySchema,
    FollowingSchema,
    FollowSchema,
    GalleryPublishSchema,
    GalleryQuerySchema,
    IdeaCreateSchema,
    IdeaListSchema,
    IdeaQuerySchema,
    IdeaSchema,
    IdeaStatusSchema,
    ModeratedEntrySchema,
    ModerationListSchema,
    ModerationQuerySchema,
    MyEntriesSchema,
    ReportAcceptedSchema,
    ReportCreateSchema,
    VoteSchema,
)
from configurator.api.credits import design_credits
from configurator.api.pages import page_body
from configurator.catalog import versions
from configurator.catalog.services import live_version
from configurator.community import gallery, ideas
from configurator.community.models import GalleryEntry, Idea, IdeaStatus
from configurator.designs import services as designs
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from configurator.preferences.models import Shopper
from configurator.preferences.services import consenting_shopper
from configurator.previews import services as previews
from configurator.ratelimit import limit
from configurator.requester import current_device
from configurator.wording import IDEA_STATUS_LABELS

MODERATE = "community:moderate"
# A person votes for a handful of entries a minute at most; a script far more.
VOTES_PER_MINUTE = 30
# Publishing, reporting and suggesting write text someone reads: rarer still.
WRITES_PER_MINUTE = 10

gallery_blp = AtelierBlueprint(
    "gallery",
    __name__,
    url_prefix="/api/v1/gallery",
    description="The gallery: shoppers' designs, votes, remixes",
)
gallery_blp.after_request(mark_request_language)
ideas_blp = AtelierBlueprint(
    "ideas", __name__, url_prefix="/api/v1/ideas", description="The idea board: suggest, vote, follow"
)
ideas_blp.after_request(mark_request_language)
admin_blp = AdminBlueprint(
    "community_admin",
    __name__,
    url_prefix="/api/v1/admin/community",
    description="Moderating the gallery and deciding on ideas (admin token)",
)


# --- answers ----------------------------------------------------------------------------------------


def entry_data(
    entry: GalleryEntry, votes: int, voted: bool, viewer: Shopper | None, language: str
) -> dict[str, Any]:
    design = entry.design
    live = designs.check(design.choices, live_version(design.product_key))
    mine = viewer is not None and entry.shopper_id == viewer.id
    return {
        "id": entry.public_id,
        "product": entry.product_key,
        "product_label": live.product.model.label.get(language),
        "title": entry.title,
        "display_name": entry.display_name,
        "status": entry.status,
        "reason": entry.reason if mine else None,
        "design": design.public_id,
        "makeable": live.valid,
        "preview": (
            previews.links(live.stored.id, live.product, live.design, language) if live.valid else None
        ),
        "votes": votes,
        "voted": voted,
        "mine": mine,
        "credits": design_credits(design),
        "created_at": entry.created_at,
        "published_at": entry.published_at,
        "links": {
            "self": url_for("gallery.Entry", entry_id=entry.public_id),
            "page": f"/gallery/{entry.public_id}",
            "design": f"/designs/{design.public_id}",
            "remix": url_for("designs.Remix", public_id=design.public_id),
            "vote": url_for("gallery.EntryVote", entry_id=entry.public_id),
            "report": url_for("gallery.EntryReports", entry_id=entry.public_id),
        },
    }


def entries_data(found: list[GalleryEntry], viewer: Shopper | None) -> list[dict[str, Any]]:
    counts = gallery.vote_counts(found)
    voted = gallery.voted_by(found, viewer)
    language = request_locale()
    return [entry_data(e, counts[e.id], e.id in voted, viewer, language) for e in found]


def one_entry(entry: GalleryEntry, viewer: Shopper | None) -> dict[str, Any]:
    return entries_data([entry], viewer)[0]


def idea_data(idea: Idea, votes: int, voted: bool, viewer: Shopper | None, language: str) -> dict[str, Any]:
    return {
        "id": idea.public_id,
        "title": idea.title,
        "body": idea.body,
        "display_name": idea.display_name,
        "product": idea.product_key,
        "product_label": _product_label(idea.product_key, language),
        "status": idea.status,
        "status_label": IDEA_STATUS_LABELS[idea.status].get(language),
        "status_note": idea.status_note,
        "status_changed_at": idea.status_changed_at,
        "created_at": idea.created_at,
        "votes": votes,
        "voted": voted,
        "following": ideas.follows(viewer, idea),
        "mine": viewer is not None and idea.shopper_id == viewer.id,
        "links": {
            "self": url_for("ideas.OneIdea", idea_id=idea.public_id),
            "page": f"/ideas/{idea.public_id}",
            "vote": url_for("ideas.IdeaVote", idea_id=idea.public_id),
            "follow": url_for("ideas.IdeaFollow", idea_id=idea.public_id),
        },
    }


def _product_label(product: str | None, language: str) -> str | None:
    if product is None:
        return None
    live = versions.live_versions().get(product)
    return versions.product_for(live).model.label.get(language) if live is not None else product


def ideas_data(found: list[Idea], viewer: Shopper | None) -> list[dict[str, Any]]:
    counts = ideas.vote_counts(found)
    voted = ideas.voted_by(found, viewer)
    language = request_locale()
    return [idea_data(i, counts[i.id], i.id in voted, viewer, language) for i in found]


def required_shopper() -> Shopper:
    """The request's consenting shopper, or 403 `consent-required`."""
    return gallery.require_shopper(consenting_shopper())


# --- the gallery ------------------------------------------------------------------------------------


@gallery_blp.route("")
class Gallery(MethodView):
    @gallery_blp.arguments(GalleryQuerySchema, location="query")
    @gallery_blp.response(200, EntryListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Published designs of one product or of the whole shop: `top` (most votes), `new`,
        `trending` (most votes this week) or `shuffled` (the voting view: no place is better)."""
        found = gallery.listing(args["product"], args["sort"], args["page"], args["page_size"], args["seed"])
        return page_body(found, entries_data(list(found.items), consenting_shopper()))

    @gallery_blp.arguments(GalleryPublishSchema)
    @gallery_blp.response(201, EntrySchema)
    @gallery_blp.alt_response(403, response="FORBIDDEN")
    @gallery_blp.alt_response(404, response="NOT_FOUND")
    @gallery_blp.alt_response(409, response="CONFLICT")
    @gallery_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @gallery_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("community-writes", per_minute=WRITES_PER_MINUTE)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Offer one of your saved designs to the gallery under a title and a name; the merchant
        approves it before anyone else sees it."""
        shopper = required_shopper()
        design = designs.find(body["design"])
        entry = gallery.publish(shopper, design, body["title"], body["display_name"], request_locale())
        return one_entry(entry, shopper)


@gallery_blp.route("/mine")
class MyEntries(MethodView):
    @gallery_blp.response(200, MyEntriesSchema)
    @gallery_blp.alt_response(403, response="FORBIDDEN")
    def get(self) -> dict[str, Any]:
        """Your entries whatever their status, with the merchant's reason for a refusal."""
        shopper = required_shopper()
        return {"items": entries_data(gallery.mine(shopper), shopper)}


@gallery_blp.route("/<entry_id>")
class Entry(MethodView):
    @gallery_blp.response(200, EntrySchema)
    @gallery_blp.alt_response(404, response="NOT_FOUND")
    def get(self, entry_id: str) -> dict[str, Any]:
        """A published entry (or one of yours, whatever its status)."""
        viewer = consenting_shopper()
        return one_entry(gallery.find(entry_id, viewer), viewer)

    @gallery_blp.response(204)
    @gallery_blp.alt_response(403, response="FORBIDDEN")
    @gallery_blp.alt_response(404, response="NOT_FOUND")
    def delete(self, entry_id: str) -> None:
        """Take your entry out of the gallery, with its votes."""
        shopper = required_shopper()
        gallery.withdraw(shopper, gallery.find(entry_id, shopper))


@gallery_blp.route("/<entry_id>/vote")
class EntryVote(MethodView):
    @gallery_blp.response(200, VoteSchema)
    @gallery_blp.alt_response(403, response="FORBIDDEN")
    @gallery_blp.alt_response(404, response="NOT_FOUND")
    @gallery_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("votes", per_minute=VOTES_PER_MINUTE)
    def put(self, entry_id: str) -> dict[str, Any]:
        """Vote for a published entry (once: voting again changes nothing)."""
        shopper = required_shopper()
        entry = gallery.find(entry_id)
        gallery.vote(shopper, entry, current_device())
        return {"votes": gallery.vote_counts([entry])[entry.id], "voted": True}

    @gallery_blp.response(200, VoteSchema)
    @gallery_blp.alt_response(403, response="FORBIDDEN")
    @gallery_blp.alt_response(404, response="NOT_FOUND")
    @gallery_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("votes", per_minute=VOTES_PER_MINUTE)
    def delete(self, entry_id: str) -> dict[str, Any]:
        """Withdraw your vote."""
        shopper = required_shopper()
        entry = gallery.find(entry_id)
        gallery.unvote(shopper, entry)
        return {"votes": gallery.vote_counts([entry])[entry.id], "voted": False}


@gallery_blp.route("/<entry_id>/reports")
class EntryReports(MethodView):
    @gallery_blp.arguments(ReportCreateSchema)
    @gallery_blp.response(202, ReportAcceptedSchema)
    @gallery_blp.alt_response(403, response="FORBIDDEN")
    @gallery_blp.alt_response(404, response="NOT_FOUND")
    @gallery_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @gallery_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("community-writes", per_minute=WRITES_PER_MINUTE)
    def post(self, body: dict[str, Any], entry_id: str) -> dict[str, Any]:
        """Report an entry to the merchant: it is hidden until they have looked at it."""
        shopper = required_shopper()
        gallery.report(shopper, gallery.find(entry_id), body["reason"], body["note"], request_locale())
        return {"received": True}


# --- ideas ------------------------------------------------------------------------------------------


@ideas_blp.route("")
class Ideas(MethodView):
    @ideas_blp.arguments(IdeaQuerySchema, location="query")
    @ideas_blp.response(200, IdeaListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The board: ideas in one status, or every listed one, by votes, newest or shuffled."""
        statuses = [args["status"]] if args["status"] is not None else list(ideas.LISTED)
        found = ideas.listing(
            statuses, args["product"], args["sort"], args["page"], args["page_size"], args["seed"]
        )
        return page_body(found, ideas_data(list(found.items), consenting_shopper()))

    @ideas_blp.arguments(IdeaCreateSchema)
    @ideas_blp.response(201, IdeaSchema)
    @ideas_blp.alt_response(403, response="FORBIDDEN")
    @ideas_blp.alt_response(404, response="NOT_FOUND")
    @ideas_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @ideas_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("community-writes", per_minute=WRITES_PER_MINUTE)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Suggest what the shop could make next (your vote counts for it at once)."""
        shopper = required_shopper()
        idea = ideas.suggest(
            shopper, body["title"], body["body"], body["product"], body["display_name"], request_locale()
        )
        ideas.vote(shopper, idea, current_device())
        return ideas_data([idea], shopper)[0]


@ideas_blp.route("/<idea_id>")
class OneIdea(MethodView):
    @ideas_blp.response(200, IdeaSchema)
    @ideas_blp.alt_response(404, response="NOT_FOUND")
    def get(self, idea_id: str) -> dict[str, Any]:
        return ideas_data([ideas.find(idea_id)], consenting_shopper())[0]


@ideas_blp.route("/<idea_id>/vote")
class IdeaVote(MethodView):
    @ideas_blp.response(200, VoteSchema)
    @ideas_blp.alt_response(403, response="FORBIDDEN")
    @ideas_blp.alt_response(404, response="NOT_FOUND")
    @ideas_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("votes", per_minute=VOTES_PER_MINUTE)
    def put(self, idea_id: str) -> dict[str, Any]:
        shopper = required_shopper()
        idea = ideas.find(idea_id)
        ideas.vote(shopper, idea, current_device())
        return {"votes": ideas.vote_counts([idea])[idea.id], "voted": True}

    @ideas_blp.response(200, VoteSchema)
    @ideas_blp.alt_response(403, response="FORBIDDEN")
    @ideas_blp.alt_response(404, response="NOT_FOUND")
    @ideas_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("votes", per_minute=VOTES_PER_MINUTE)
    def delete(self, idea_id: str) -> dict[str, Any]:
        shopper = required_shopper()
        idea = ideas.find(idea_id)
        ideas.unvote(shopper, idea)
        return {"votes": ideas.vote_counts([idea])[idea.id], "voted": False}


@ideas_blp.route("/<idea_id>/follow")
class IdeaFollow(MethodView):
    @ideas_blp.arguments(FollowSchema)
    @ideas_blp.response(200, FollowingSchema)
    @ideas_blp.alt_response(403, response="FORBIDDEN")
    @ideas_blp.alt_response(404, response="NOT_FOUND")
    @ideas_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @ideas_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("community-writes", per_minute=WRITES_PER_MINUTE)
    def put(self, body: dict[str, Any], idea_id: str) -> dict[str, Any]:
        """Be told at this address, in your language, when the shop changes the idea's status."""
        shopper = required_shopper()
        ideas.follow(shopper, ideas.find(idea_id), body["email"], request_locale())
        return {"following": True}

    @ideas_blp.response(200, FollowingSchema)
    @ideas_blp.alt_response(403, response="FORBIDDEN")
    @ideas_blp.alt_response(404, response="NOT_FOUND")
    def delete(self, idea_id: str) -> dict[str, Any]:
        """Stop hearing about the idea; the address is forgotten."""
        shopper = required_shopper()
        ideas.unfollow(shopper, ideas.find(idea_id))
        return {"following": False}


# --- the merchant's side ----------------------------------------------------------------------------


def moderated_data(entry: GalleryEntry) -> dict[str, Any]:
    data = one_entry(entry, None)
    data["reason"] = entry.reason
    data["reviewed_at"] = entry.reviewed_at
    data["allowed"] = gallery.allowed_decisions(entry)
    data["reports"] = [
        {"reason": r.reason, "note": r.note, "created_at": r.created_at} for r in gallery.open_reports(entry)
    ]
    return data


@admin_blp.route("/gallery")
class ModerationQueue(MethodView):
    @admin_blp.requires(MODERATE)
    @admin_blp.arguments(ModerationQuerySchema, location="query")
    @admin_blp.response(200, ModerationListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Entries to look at, oldest first: pending and held (reported) ones unless asked otherwise."""
        found = gallery.queue(args["status"], args["product"], args["page"], args["page_size"])
        return page_body(found, [moderated_data(e) for e in found.items])


@admin_blp.route("/gallery/<entry_id>/decision")
class ModerationDecision(MethodView):
    @admin_blp.requires(MODERATE)
    @admin_blp.arguments(DecisionSchema)
    @admin_blp.response(200, ModeratedEntrySchema)
    @admin_blp.alt_response(404, response="NOT_FOUND")
    @admin_blp.alt_response(409, response="CONFLICT")
    def post(self, body: dict[str, Any], entry_id: str) -> dict[str, Any]:
        """Approve, reject (with a reason its creator reads) or unpublish an entry; open reports on
        it are resolved."""
        entry = gallery.decide(gallery.find_any(entry_id).id, body["decision"], body["reason"])
        return moderated_data(entry)


@admin_blp.route("/ideas")
class AdminIdeas(MethodView):
    @admin_blp.requires(MODERATE)
    @admin_blp.arguments(AdminIdeaQuerySchema, location="query")
    @admin_blp.response(200, AdminIdeaListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every idea (removed ones too when asked for), by votes."""
        statuses = [args["status"]] if args["status"] is not None else list(IdeaStatus)
        found = ideas.listing(statuses, args["product"], ideas.IdeaSort.TOP, args["page"], args["page_size"])
        return page_body(found, ideas_data(list(found.items), None))


@admin_blp.route("/ideas/<idea_id>/status")
class AdminIdeaStatus(MethodView):
    @admin_blp.requires(MODERATE)
    @admin_blp.arguments(IdeaStatusSchema)
    @admin_blp.response(200, IdeaSchema)
    @admin_blp.alt_response(404, response="NOT_FOUND")
    @admin_blp.alt_response(409, response="CONFLICT")
    @admin_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any], idea_id: str) -> dict[str, Any]:
        """Set an idea's status (with a note); its followers are e-mailed unless it is removed."""
        idea = ideas.set_status(
            ideas.find_any(idea_id).id,
            body["status"],
            body["note"],
            request_locale(),
            current_app.config["ATELIER_PUBLIC_URL"],
        )
        return ideas_data([idea], None)[0]
