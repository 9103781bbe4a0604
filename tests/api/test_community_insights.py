"""The merchant's insights count what the community did around a product: the gallery by status, votes
per day, the most voted entries and ideas, and each campaign's standing, in JSON and in the CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from configurator.dbtypes import utcnow
from tests.support.admin import admin_headers
from tests.support.community import Shopper


def test_insights_show_the_gallery_votes_ideas_and_campaigns_of_a_product(
    app: Flask, client: FlaskClient
) -> None:
    staff = admin_headers(app, "community:moderate", "campaigns:manage", "insights:read", name="staff")
    ana = Shopper(client)
    entries = []
    for colour in ("ink", "gold"):
        entry = ana.publish(ana.design(colour=colour), title=f"{colour} mug").get_json()["id"]
        client.post(
            f"/api/v1/admin/community/gallery/{entry}/decision", json={"decision": "approve"}, headers=staff
        )
        entries.append(entry)
    ana.publish(ana.design(gift_box=True), title="Pending")
    for n in range(3):
        Shopper(client, address=f"10.4.0.{n}").call("PUT", f"/api/v1/gallery/{entries[1]}/vote")
    ana.call("POST", "/api/v1/ideas", json={"title": "Walnut", "body": "A wooden mug", "product": "mug"})
    client.post(
        "/api/v1/admin/campaigns",
        json={
            "kind": "vote",
            "title": "Next glaze",
            "product": "mug",
            "closes_at": (utcnow() + timedelta(days=7)).isoformat(),
            "candidates": [
                {"label": "Sage", "attribute": "colour", "option": "sage"},
                {"label": "Rust", "attribute": "colour", "option": "rust"},
            ],
        },
        headers=staff,
    )

    report = client.get("/api/v1/admin/insights/mug", headers=staff).get_json()
    community = report["community"]
    assert community["entries"] == {"published": 2, "pending": 1}
    assert community["ideas"] == {"open": 1}
    assert community["votes"]["total"] == 4  # three for the gold mug, the author's for the idea
    assert community["votes"]["series"][-1]["count"] == 4
    assert [(e["title"], e["votes"]) for e in community["top_entries"]] == [("gold mug", 3), ("ink mug", 0)]
    assert [(i["title"], i["votes"]) for i in community["top_ideas"]] == [("Walnut", 1)]
    assert [(c["title"], c["status"], c["votes"], c["leader"]) for c in community["campaigns"]] == [
        ("Next glaze", "open", 0, None)
    ]

    exported = client.get(report["links"]["csv"], headers=staff).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {(r["section"], r["stage"], r["count"]) for r in rows if r["section"] == "gallery"} == {
        ("gallery", "published", "2"),
        ("gallery", "pending", "1"),
    }
    assert [(r["message"], r["count"]) for r in rows if r["section"] == "top_entries"] == [
        ("gold mug", "3"),
        ("ink mug", "0"),
    ]
    assert [r["message"] for r in rows if r["section"] == "campaign"] == ["Next glaze"]
