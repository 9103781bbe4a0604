"""The gallery and the idea board through the HTTP API: consent, ownership, moderation, votes that one
device cannot flood, reports that hold an entry, credit along remixes, and the shopper's rights."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from configurator.community.votes import MAX_COUNTED_PER_DEVICE
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from tests.support.admin import admin_headers
from tests.support.campaigns import CONTACT
from tests.support.community import Shopper


@pytest.fixture
def moderator(app: Flask) -> dict[str, str]:
    return admin_headers(app, "community:moderate", name="moderator")


def published(client: FlaskClient, shopper: Shopper, moderator: dict[str, str], **picks: Any) -> str:
    """A design of the shopper's, in the gallery and approved; its entry id."""
    answer = shopper.publish(shopper.design(**picks))
    assert answer.status_code == 201, answer.get_json()
    entry = answer.get_json()["id"]
    decide(client, moderator, entry, "approve")
    return str(entry)


def decide(
    client: FlaskClient, moderator: dict[str, str], entry: str, decision: str, reason: str = ""
) -> Any:
    body = {"decision": decision, **({"reason": reason} if reason else {})}
    answer = client.post(f"/api/v1/admin/community/gallery/{entry}/decision", json=body, headers=moderator)
    return answer


def listed(client: FlaskClient, **query: Any) -> list[str]:
    answer = client.get("/api/v1/gallery", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return [item["id"] for item in answer.get_json()["items"]]


# --- publishing and moderation -----------------------------------------------------------------------


def test_a_published_design_waits_for_the_merchant_then_shows_with_its_preview(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana = Shopper(client)
    offered = ana.publish(ana.design(colour="ink"), title="Ink and gold", name="Ana")
    assert offered.status_code == 201, offered.get_json()
    entry = offered.get_json()
    assert (entry["status"], entry["title"], entry["display_name"], entry["mine"]) == (
        "pending",
        "Ink and gold",
        "Ana",
        True,
    )
    assert listed(client) == []
    # Live answers: a browser asks again before showing one (also on Back).
    assert client.get("/api/v1/gallery").headers["Cache-Control"] == "no-cache"
    assert client.get(entry["links"]["self"]).status_code == 404  # nobody else sees it yet
    assert ana.call("GET", entry["links"]["self"]).get_json()["status"] == "pending"

    approved = decide(client, moderator, entry["id"], "approve")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "published"
    assert listed(client) == [entry["id"]]
    shown = client.get(entry["links"]["self"]).get_json()
    assert shown["makeable"] is True
    assert (
        shown["preview"]
        == client.get(shown["links"]["design"].replace("/designs/", "/api/v1/designs/")).get_json()["preview"]
    )
    assert shown["mine"] is False
    assert shown["reason"] is None
    assert listed(client, product="poster") == []


def test_publishing_needs_consent_and_the_shoppers_own_design(client: FlaskClient) -> None:
    ana, ben = Shopper(client), Shopper(client)
    design = ana.design()
    refused = ben.publish(design)
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "not-your-design"

    assert ana.call("GET", f"/api/v1/designs/{design}").get_json()["mine"] is True
    assert ben.call("GET", f"/api/v1/designs/{design}").get_json()["mine"] is False
    assert client.get(f"/api/v1/designs/{design}").get_json()["mine"] is False

    stranger = Shopper(client, consent=False)
    no_consent = stranger.publish(design)
    assert no_consent.status_code == 403
    assert no_consent.get_json()["code"] == "consent-required"

    assert ana.publish(design).status_code == 201
    twice = ana.publish(design)
    assert twice.status_code == 409
    assert twice.get_json()["code"] == "already-in-gallery"


def test_titles_and_names_pass_the_brands_text_policy_in_the_shoppers_language(client: FlaskClient) -> None:
    ana = Shopper(client)
    refused = ana.publish(ana.design(), title="Better than Rivalco", name="Ana")
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert [e["field"] for e in errors] == ["title"]
    french = ana.call(
        "POST",
        "/api/v1/gallery",
        json={"design": ana.design(), "title": "Нello", "display_name": "Ana"},
        headers={"Accept-Language": "fr"},
    )
    assert french.status_code == 422
    assert "« Titre »" in french.get_json()["errors"][0]["detail"]


def test_moderation_needs_its_scope_and_a_reason_to_refuse(
    app: Flask, client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana = Shopper(client)
    entry = ana.publish(ana.design()).get_json()["id"]
    reader = admin_headers(app, "orders:read", name="reader")
    assert client.get("/api/v1/admin/community/gallery", headers=reader).status_code == 403
    assert client.get("/api/v1/admin/community/gallery").status_code == 401

    queue = client.get("/api/v1/admin/community/gallery", headers=moderator).get_json()
    assert [(e["id"], e["allowed"]) for e in queue["items"]] == [(entry, ["approve", "reject"])]

    no_reason = decide(client, moderator, entry, "reject")
    assert no_reason.status_code == 422
    rejected = decide(client, moderator, entry, "reject", reason="The picture is blurred")
    assert rejected.get_json()["status"] == "rejected"
    again = decide(client, moderator, entry, "unpublish", reason="no")
    assert again.status_code == 409
    assert again.get_json()["allowed"] == []
    mine = ana.call("GET", "/api/v1/gallery/mine").get_json()["items"]
    assert [(e["status"], e["reason"]) for e in mine] == [("rejected", "The picture is blurred")]
    assert client.get("/api/v1/admin/community/gallery", headers=moderator).get_json()["items"] == []


def test_a_creator_takes_an_entry_back_and_nobody_else_can(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    entry = published(client, ana, moderator)
    assert ben.call("PUT", f"/api/v1/gallery/{entry}/vote").status_code == 200
    assert ben.call("DELETE", f"/api/v1/gallery/{entry}").status_code == 404
    assert ana.call("DELETE", f"/api/v1/gallery/{entry}").status_code == 204
    assert listed(client) == []
    assert client.get(f"/api/v1/gallery/{entry}").status_code == 404


# --- votes ------------------------------------------------------------------------------------------


def test_one_vote_per_shopper_withdrawable_and_only_for_published_entries(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    entry = published(client, ana, moderator)
    url = f"/api/v1/gallery/{entry}/vote"
    assert ben.call("PUT", url).get_json() == {"votes": 1, "voted": True}
    assert ben.call("PUT", url).get_json() == {"votes": 1, "voted": True}
    assert ben.call("GET", f"/api/v1/gallery/{entry}").get_json()["voted"] is True
    assert ben.call("DELETE", url).get_json() == {"votes": 0, "voted": False}

    assert Shopper(client, consent=False).call("PUT", url).status_code == 403
    assert client.get(url).status_code == 405  # no link can cast a vote

    pending = ana.publish(ana.design(colour="gold")).get_json()["id"]
    assert ben.call("PUT", f"/api/v1/gallery/{pending}/vote").status_code == 404


def test_one_device_minting_shoppers_counts_a_handful_of_votes(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    entry = published(client, Shopper(client), moderator)
    url = f"/api/v1/gallery/{entry}/vote"
    for _ in range(MAX_COUNTED_PER_DEVICE + 4):
        assert Shopper(client, address="10.9.9.9").call("PUT", url).status_code == 200
    for n in range(2):
        Shopper(client, address=f"10.1.0.{n}").call("PUT", url)
    assert client.get(f"/api/v1/gallery/{entry}").get_json()["votes"] == MAX_COUNTED_PER_DEVICE + 2


def test_votes_are_rate_limited(app: Flask, client: FlaskClient, moderator: dict[str, str]) -> None:
    app.config["ATELIER_RATELIMITS"] = {"votes": 3}
    entry = published(client, Shopper(client), moderator)
    ben = Shopper(client, address="10.0.0.7")
    answers = [ben.call("PUT", f"/api/v1/gallery/{entry}/vote").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_sorts_top_new_trending_and_a_shuffle_that_pages_agree_on(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana = Shopper(client)
    entries = [published(client, ana, moderator, colour=c) for c in ("white", "ink", "gold")]
    for n, entry in enumerate(entries[:2]):
        for voter in range(n + 1):
            Shopper(client, address=f"10.2.{n}.{voter}").call("PUT", f"/api/v1/gallery/{entry}/vote")
    assert listed(client, sort="top") == [entries[1], entries[0], entries[2]]
    assert listed(client, sort="new") == list(reversed(entries))
    assert listed(client, sort="trending") == [entries[1], entries[0], entries[2]]
    pages = [listed(client, sort="shuffled", seed=41, page=p, page_size=1) for p in (1, 2, 3)]
    assert sorted(sum(pages, [])) == sorted(entries)
    orders = {tuple(listed(client, sort="shuffled", seed=seed)) for seed in range(12)}
    assert len(orders) > 1


# --- reports ----------------------------------------------------------------------------------------


def test_a_report_holds_an_entry_until_the_merchant_decides(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    entry = published(client, ana, moderator)
    url = f"/api/v1/gallery/{entry}/reports"
    assert ana.call("POST", url, json={"reason": "spam"}).status_code == 202
    assert listed(client) == [entry]  # a creator cannot hide their own entry

    rude = ben.call("POST", url, json={"reason": "other", "note": "rivalco forever"})
    assert rude.status_code == 422  # notes pass the policy too
    assert ben.call("POST", url, json={"reason": "offensive", "note": "Rude words"}).status_code == 202
    assert ben.call("POST", url, json={"reason": "offensive"}).status_code == 404  # hidden now
    assert listed(client) == []

    queue = client.get("/api/v1/admin/community/gallery", headers=moderator).get_json()["items"]
    assert [(e["status"], [r["note"] for r in e["reports"]]) for e in queue] == [("held", ["Rude words"])]
    assert decide(client, moderator, entry, "approve").get_json()["reports"] == []
    assert listed(client) == [entry]


# --- credit -----------------------------------------------------------------------------------------


def test_remixes_credit_the_published_designs_they_come_from_on_the_design_cart_and_order(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana, ben, cleo = (Shopper(client, address=f"10.3.0.{n}") for n in range(3))
    original = ana.design(colour="ink")
    entry = ana.publish(original, title="Ink", name="Ana").get_json()["id"]
    decide(client, moderator, entry, "approve")
    bens = ben.remix(original, gift_box=True)
    ben_entry = ben.publish(bens, title="Boxed", name="Ben").get_json()["id"]
    decide(client, moderator, ben_entry, "approve")
    private = cleo.remix(bens, engraving="Hi")
    cleos = cleo.remix(private, material="enamel")

    credits = client.get(f"/api/v1/designs/{cleos}").get_json()["credits"]
    assert [(c["display_name"], c["role"], c["entry"]) for c in credits] == [
        ("Ana", "creator", entry),
        ("Ben", "remixer", ben_entry),
    ]
    entry_credits = client.get(f"/api/v1/gallery/{ben_entry}").get_json()["credits"]
    assert [c["display_name"] for c in entry_credits] == ["Ana", "Ben"]

    cart = client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()
    line = client.post(f"/api/v1/carts/{cart['id']}/lines", json={"design": cleos, "quantity": 1}).get_json()
    assert [c["display_name"] for c in line["lines"][0]["credits"]] == ["Ana", "Ben"]
    client.put(f"/api/v1/carts/{cart['id']}/contact", json=CONTACT)
    order = client.post(f"/api/v1/carts/{cart['id']}/checkout", json={}).get_json()["order"]
    ordered = client.get(f"/api/v1/orders/{order['token']}").get_json()["lines"][0]
    assert (ordered["design"], [c["display_name"] for c in ordered["credits"]]) == (cleos, ["Ana", "Ben"])

    decide(client, moderator, entry, "unpublish", reason="Taken down")
    again = client.get(f"/api/v1/designs/{cleos}").get_json()["credits"]
    assert [(c["display_name"], c["role"]) for c in again] == [("Ben", "creator")]


# --- ideas ------------------------------------------------------------------------------------------


def test_the_idea_board_votes_follows_and_mails_followers_in_their_language(
    app: Flask, client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    made = ana.call(
        "POST", "/api/v1/ideas", json={"title": "A walnut mug", "body": "Wood, please.", "product": "mug"}
    )
    assert made.status_code == 201, made.get_json()
    idea = made.get_json()
    assert (idea["votes"], idea["voted"], idea["status"], idea["status_label"]) == (1, True, "open", "open")
    assert idea["product_label"] == "Engraved mug"
    assert ben.call("PUT", idea["links"]["vote"]).get_json() == {"votes": 2, "voted": True}
    followed = ben.call(
        "PUT", idea["links"]["follow"], json={"email": "ben@example.com"}, headers={"Accept-Language": "fr"}
    )
    assert followed.get_json() == {"following": True}
    assert ben.call("GET", idea["links"]["self"]).get_json()["following"] is True

    rude = ana.call("POST", "/api/v1/ideas", json={"title": "Rivalco mugs", "body": "Like theirs"})
    assert rude.status_code == 422
    assert (
        Shopper(client, consent=False)
        .call("POST", "/api/v1/ideas", json={"title": "x", "body": "y"})
        .status_code
        == 403
    )

    status_url = f"/api/v1/admin/community/ideas/{idea['id']}/status"
    planned = client.post(status_url, json={"status": "planned", "note": "For the spring"}, headers=moderator)
    assert planned.status_code == 200, planned.get_json()
    assert (
        client.post(
            status_url, json={"status": "planned", "note": "For the spring"}, headers=moderator
        ).status_code
        == 409
    )
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "idea_status")).all()
        assert [(m.recipient, m.subject) for m in mails] == [
            ("ben@example.com", "Du nouveau sur l'idée « A walnut mug »")
        ]
        assert "prévue" in mails[0].body
        assert "For the spring" in mails[0].body
        assert f"/ideas/{idea['id']}" in mails[0].body
        db.session.remove()

    board = client.get("/api/v1/ideas", query_string={"status": "planned"}).get_json()["items"]
    assert [(i["id"], i["status_note"]) for i in board] == [(idea["id"], "For the spring")]
    assert ben.call("DELETE", idea["links"]["follow"]).get_json() == {"following": False}
    client.post(status_url, json={"status": "removed"}, headers=moderator)
    assert client.get("/api/v1/ideas").get_json()["items"] == []
    assert client.get(idea["links"]["self"]).status_code == 404
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
        db.session.remove()


# --- the shopper's rights ---------------------------------------------------------------------------


def test_export_and_erasure_cover_entries_votes_reports_ideas_and_follows(
    client: FlaskClient, moderator: dict[str, str]
) -> None:
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    anas_design = ana.design(colour="gold")
    entry = ana.publish(anas_design, name="Ana").get_json()["id"]
    decide(client, moderator, entry, "approve")
    bens_entry = published(client, ben, moderator)
    ana.call("PUT", f"/api/v1/gallery/{bens_entry}/vote")
    ana.call("POST", f"/api/v1/gallery/{bens_entry}/reports", json={"reason": "spam"})
    decide(client, moderator, bens_entry, "approve")
    idea = ana.call(
        "POST", "/api/v1/ideas", json={"title": "Oak", "body": "An oak mug", "display_name": "Ana"}
    ).get_json()
    ana.call("PUT", idea["links"]["follow"], json={"email": "ana@example.com"})
    remix = ben.remix(anas_design)

    exported = ana.call("GET", f"/api/v1/shoppers/{ana.id}/export").get_json()
    assert [e["id"] for e in exported["gallery_entries"]] == [entry]
    assert {v["gallery_entry"] or v["idea"] for v in exported["votes"]} == {bens_entry, idea["id"]}
    assert [r["gallery_entry"] for r in exported["reports"]] == [bens_entry]
    assert [i["id"] for i in exported["ideas"]] == [idea["id"]]
    assert [f["email"] for f in exported["idea_follows"]] == ["ana@example.com"]
    assert [c["display_name"] for c in client.get(f"/api/v1/designs/{remix}").get_json()["credits"]] == [
        "Ana"
    ]

    assert ana.call("DELETE", f"/api/v1/shoppers/{ana.id}").status_code == 204
    assert listed(client) == [bens_entry]
    assert client.get(f"/api/v1/gallery/{bens_entry}").get_json()["votes"] == 0
    kept = client.get(idea["links"]["self"]).get_json()
    assert (kept["display_name"], kept["votes"], kept["title"]) == (None, 0, "Oak")
    assert client.get(f"/api/v1/designs/{remix}").get_json()["credits"] == []
