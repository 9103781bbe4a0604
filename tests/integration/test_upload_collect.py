"""Shopper photos nothing names are removed once the retention has passed; named ones stay."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select, text, update

from configurator.dbtypes import utcnow
from configurator.designs.models import Design
from configurator.extensions import db
from configurator.storage import blob_store
from configurator.uploads.collect import collect_unused
from configurator.uploads.models import Upload
from tests.support.checkout import ready_cart
from tests.support.services import Postgres
from tests.support.waiting import WAIT_WITHIN, wait_until

DEMO = Path(__file__).resolve().parents[2] / "catalog"
CAKE = "celebration-cake"


@pytest.fixture
def shop(pg_config: dict[str, Any]) -> Iterator[Flask]:
    from configurator import create_app
    from tests.conftest import empty_database

    app = create_app({**pg_config, "ATELIER_CATALOG": str(DEMO)})
    yield app
    empty_database(app)


def waiting_on_a_lock(app: Flask) -> bool:
    """Whether some session of the database waits for a lock (a row another transaction holds)."""
    with app.app_context():
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        found = bool(db.session.scalar(waiting))
        db.session.rollback()
        return found


def upload(client: FlaskClient) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1200), (200, 40, 40)).save(buffer, "JPEG", quality=85)
    response = client.post("/api/v1/uploads", data=buffer.getvalue(), content_type="image/jpeg")
    assert response.status_code == 201, response.get_json()
    upload_id: str = response.get_json()["id"]
    return upload_id


def age(app: Flask, upload_ids: list[str], days: float) -> None:
    with app.app_context():
        db.session.execute(
            update(Upload).where(Upload.id.in_(upload_ids)).values(created_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()


def stored(app: Flask, upload_id: str) -> tuple[bool, bool]:
    """Whether the upload's row and its blob are still there."""
    with app.app_context():
        row = db.session.get(Upload, upload_id)
        key = f"uploads/{upload_id}.jpg"
        present = (row is not None, blob_store().exists(key))
        db.session.remove()
    return present


def test_photos_nothing_names_go_after_the_retention_and_named_ones_stay(shop: Flask) -> None:
    client = shop.test_client()
    in_design, in_order, unused, recent = (upload(client) for _ in range(4))
    saved = client.post("/api/v1/designs", json={"product": CAKE, "picks": {"photo": in_design}})
    assert saved.status_code == 201, saved.get_json()
    # An order names a photo whose design no longer does (only the order line keeps it)
    token = ready_cart(shop, [(CAKE, {"photo": in_order}, 1)])
    assert client.post(f"/api/v1/carts/{token}/checkout").status_code == 201
    with shop.app_context():
        ordered = next(d for d in db.session.scalars(select(Design)) if d.choices.get("photo") == in_order)
        db.session.execute(update(Design).where(Design.id == ordered.id).values(choices={}))
        db.session.commit()
    age(shop, [in_design, in_order, unused], days=20)
    age(shop, [recent], days=2)

    with shop.app_context():
        rehearsal = collect_unused(blob_store(), older_than=timedelta(days=14), dry_run=True)
    assert (rehearsal.examined, rehearsal.kept, rehearsal.removed) == (3, 2, [unused])
    assert stored(shop, unused) == (True, True)

    with shop.app_context():
        result = collect_unused(blob_store(), older_than=timedelta(days=14))
    assert result.removed == [unused]
    assert stored(shop, unused) == (False, False)
    for kept in (in_design, in_order, recent):
        assert stored(shop, kept) == (True, True)
    assert client.get(f"/api/v1/uploads/{unused}").status_code == 404


def test_a_photo_whose_design_was_erased_goes_too(shop: Flask) -> None:
    client = shop.test_client()
    photo = upload(client)
    saved = client.post("/api/v1/designs", json={"product": CAKE, "picks": {"photo": photo}})
    assert saved.status_code == 201
    age(shop, [photo], days=30)
    with shop.app_context():
        assert collect_unused(blob_store(), older_than=timedelta(days=14)).removed == []
        db.session.execute(update(Design).values(choices={"tiers": 2}))  # as an erasure leaves nothing
        db.session.commit()
        assert collect_unused(blob_store(), older_than=timedelta(days=14)).removed == [photo]


def test_with_no_domain_to_ask_nothing_is_removed(shop: Flask) -> None:
    # Designs and orders say which photos they name; nobody answering must not read as "none is used".
    from configurator import events

    photo = upload(shop.test_client())
    age(shop, [photo], days=30)
    answering = list(events.uploads_named.receivers.values())
    for receiver in answering:
        events.uploads_named.disconnect(receiver)
    try:
        with shop.app_context(), pytest.raises(RuntimeError, match="uploads_named"):
            collect_unused(blob_store(), older_than=timedelta(days=14))
    finally:
        for receiver in answering:
            events.uploads_named.connect(receiver, weak=False)
    assert stored(shop, photo) == (True, True)


def test_many_candidates_are_taken_in_batches(shop: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from configurator.uploads import collect

    monkeypatch.setattr(collect, "BATCH", 2)
    client = shop.test_client()
    photos = [upload(client) for _ in range(5)]
    keep = photos[3]
    assert client.post("/api/v1/designs", json={"product": CAKE, "picks": {"photo": keep}}).status_code == 201
    age(shop, photos, days=20)
    with shop.app_context():
        result = collect.collect_unused(blob_store(), older_than=timedelta(days=14))
    assert result.examined == 5
    assert sorted(result.removed) == sorted(p for p in photos if p != keep)


def test_the_command_and_the_task_remove_what_nothing_names(
    shop: Flask, postgres: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator.cli import main
    from configurator.uploads.tasks import collect_unused_uploads

    client = shop.test_client()
    first, second = upload(client), upload(client)
    age(shop, [first, second], days=20)
    monkeypatch.setenv("ATELIER_DATABASE_URL", postgres.url)
    monkeypatch.setenv("ATELIER_CATALOG", str(DEMO))
    monkeypatch.setenv("ATELIER_MEDIA_ROOT", shop.config["ATELIER_MEDIA_ROOT"])
    runner = CliRunner()
    dry = runner.invoke(main, ["uploads", "collect", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 upload(s) older than 14 day(s): 2 would remove, 0 kept" in dry.output
    assert stored(shop, first) == (True, True)
    wider = runner.invoke(main, ["uploads", "collect", "--older-than-days", "30"])
    assert "0 upload(s) older than 30 day(s)" in wider.output
    assert stored(shop, first) == (True, True)

    with shop.app_context():
        assert collect_unused_uploads.apply().get() == 2
    assert stored(shop, first) == (False, False)
    assert stored(shop, second) == (False, False)


def test_a_design_never_names_a_photo_that_is_not_there(shop: Flask) -> None:
    client = shop.test_client()
    missing = "A" * 32
    refused = client.post("/api/v1/designs", json={"product": CAKE, "picks": {"photo": missing}})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "picks.photo"
    saved = client.post("/api/v1/designs", json={"product": CAKE, "picks": {}})
    remixed = client.post(
        f"/api/v1/designs/{saved.get_json()['id']}/remix", json={"picks": {"photo": missing}}
    )
    assert remixed.status_code == 422
    photo = upload(client)
    french = client.post(
        f"/api/v1/designs/{saved.get_json()['id']}/remix",
        json={"picks": {"photo": photo}},
        headers={"Accept-Language": "fr"},
    )
    assert french.status_code == 201
    assert french.get_json()["choices"]["photo"] == photo


def test_the_print_warning_speaks_the_shoppers_language(shop: Flask) -> None:
    client = shop.test_client()
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 10, 10)).save(buffer, "JPEG")
    small = client.post("/api/v1/uploads", data=buffer.getvalue(), content_type="image/jpeg").get_json()["id"]
    path = f"/api/v1/products/{CAKE}/configure"
    english = client.post(path, json={"picks": {"photo": small}}).get_json()["warnings"]
    french = client.post(path, json={"picks": {"photo": small}}, headers={"Accept-Language": "fr"})
    assert english[0]["message"].startswith("This photo is 300×300 px")
    assert french.get_json()["warnings"][0]["message"].startswith("Cette photo fait 300×300 px")
    assert french.get_json()["warnings"][0]["code"] == english[0]["code"] == "print-quality"


def test_a_save_racing_the_removal_of_its_photo_waits_and_is_refused(shop: Flask) -> None:
    from configurator.uploads import collect

    client = shop.test_client()
    photo = upload(client)
    age(shop, [photo], days=20)
    answers: dict[str, int] = {}

    def save() -> None:
        answers["save"] = (
            shop.test_client()
            .post("/api/v1/designs", json={"product": CAKE, "picks": {"photo": photo}})
            .status_code
        )

    # Given a run that has locked its candidates (and read the designs: none names the photo)
    with shop.app_context():
        batch = collect._candidates(utcnow(), None, lock=True)
        assert [u.id for u in batch] == [photo]
        # When a shopper saves a design with that photo meanwhile, the save waits for the run
        saving = threading.Thread(target=save)
        saving.start()
        wait_until(lambda: waiting_on_a_lock(shop) or not saving.is_alive(), what="the save waiting")
        assert saving.is_alive()
        collect._remove(blob_store(), batch)
        db.session.commit()
    saving.join(WAIT_WITHIN)
    # Then it finds the photo gone and says so, rather than naming a removed photo
    assert answers["save"] == 422


def test_a_photo_being_saved_into_a_design_is_skipped_by_the_removal(shop: Flask) -> None:
    from configurator.uploads import services

    client = shop.test_client()
    photo = upload(client)
    age(shop, [photo], days=20)
    holding, done = threading.Event(), threading.Event()

    def saving_a_design() -> None:
        with shop.app_context():
            services.find(photo, hold=True)  # what a save does before writing the design
            holding.set()
            done.wait(WAIT_WITHIN)  # holds the photo until the removal has run
            db.session.rollback()

    saver = threading.Thread(target=saving_a_design)
    saver.start()
    assert holding.wait(WAIT_WITHIN)
    try:
        with shop.app_context():
            result = collect_unused(blob_store(), older_than=timedelta(days=14))
    finally:
        done.set()
        saver.join(WAIT_WITHIN)
    assert result.removed == []
    assert stored(shop, photo) == (True, True)
