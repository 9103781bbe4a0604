"""Production proofs: paying an order renders a print file for every view of every line and a summary
sheet per line, stores them once, and the admin API lists and serves them under their file names.

Tasks run eagerly in-process on PostgreSQL, and the last test on real workers. The demo catalog is
used: it has products with three views (the cake) and one view (the mug, the curtain).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from configurator.cli import main
from configurator.extensions import db
from configurator.orders.models import Order, OrderLine, OrderStatus
from configurator.proofs import services as proofs
from configurator.proofs.models import Proof
from configurator.proofs.tasks import render_proofs
from configurator.storage import EXTENSION as BLOBS
from configurator.storage import BlobStore, MemoryBlobStore, blob_store
from configurator.tasks import send_now
from rules import load_catalog
from tests.support.admin import admin_headers
from tests.support.orders import LineSpec, MadeOrder, make_order
from tests.support.services import Redis
from tests.support.waiting import wait_until
from tests.support.worker import Worker, flush_broker, worker_environment

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "catalog"
MUG = LineSpec("engraved-mug", {"engraving": "Ada & Sam", "font": "script", "colour": "sage"})
CAKE = LineSpec("celebration-cake", {"tiers": 2, "message": "Happy 30th"})
CURTAIN = LineSpec("made-to-measure-curtain")
ADMIN = "/api/v1/admin/orders"


@pytest.fixture
def test_config(test_config: dict[str, Any]) -> dict[str, Any]:
    return {**test_config, "ATELIER_CATALOG": str(DEMO_CATALOG)}


@dataclass(frozen=True)
class Stored:
    line_id: int
    kind: str
    view: str
    format: str
    blob_key: str
    sha256: str
    byte_size: int
    data: bytes


def stored(app: Flask, order_id: int) -> list[Stored]:
    """The order's proof rows with the bytes their keys hold, by line then key."""
    with app.app_context():
        rows = db.session.scalars(
            select(Proof)
            .join(OrderLine, OrderLine.id == Proof.order_line_id)
            .where(OrderLine.order_id == order_id)
            .order_by(Proof.order_line_id, Proof.blob_key)
        )
        store = blob_store(app)
        found = [
            Stored(
                p.order_line_id,
                p.kind,
                p.view,
                p.format,
                p.blob_key,
                p.sha256,
                p.byte_size,
                store.get(p.blob_key),
            )
            for p in rows
        ]
        db.session.remove()
    return found


def line_ids(app: Flask, order_id: int) -> list[int]:
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(OrderLine.id).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
            )
        )
        db.session.remove()
    return ids


def proof_count(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Proof))
        db.session.remove()
    return int(count or 0)


def run_again(app: Flask, order_id: int) -> None:
    with app.app_context():
        send_now(render_proofs, order_id)


def paid_order(app: Flask) -> MadeOrder:
    return make_order(app, [MUG, CAKE, CURTAIN])


def test_paying_renders_a_print_file_per_view_and_a_summary_per_line(pg_app: Flask) -> None:
    # Given an order of a mug (one view), a cake (three views) and a curtain (one view)
    # When it is paid
    order = paid_order(pg_app)
    mug, cake, curtain = line_ids(pg_app, order.id)
    # Then each view of each line is stored as a PDF, plus one summary PDF per line
    found = stored(pg_app, order.id)
    assert [(s.line_id, s.kind, s.view, s.format) for s in found] == [
        (mug, "view", "front", "pdf"),
        (mug, "spec", "", "pdf"),
        (cake, "view", "front", "pdf"),
        (cake, "view", "slice", "pdf"),
        (cake, "spec", "", "pdf"),
        (cake, "view", "top", "pdf"),
        (curtain, "view", "front", "pdf"),
        (curtain, "spec", "", "pdf"),
    ]
    assert [s.blob_key for s in found] == [
        f"proofs/{order.number}/{mug}/front.pdf",
        f"proofs/{order.number}/{mug}/spec.pdf",
        f"proofs/{order.number}/{cake}/front.pdf",
        f"proofs/{order.number}/{cake}/slice.pdf",
        f"proofs/{order.number}/{cake}/spec.pdf",
        f"proofs/{order.number}/{cake}/top.pdf",
        f"proofs/{order.number}/{curtain}/front.pdf",
        f"proofs/{order.number}/{curtain}/spec.pdf",
    ]
    # And each view's page is its print area plus the bleed on every side, in points
    products = {mug: "engraved-mug", cake: "celebration-cake", curtain: "made-to-measure-curtain"}
    demo = load_catalog(DEMO_CATALOG)
    for proof in found:
        assert proof.data is not None
        assert (proof.sha256, proof.byte_size) == (hashlib.sha256(proof.data).hexdigest(), len(proof.data))
        pages = PdfReader(io.BytesIO(proof.data)).pages
        if proof.kind == "view":
            view = demo.products[products[proof.line_id]].model.view(proof.view)
            assert view is not None
            area, _ = view.printed()
            size = [float(pages[0].mediabox.width), float(pages[0].mediabox.height)]
            expected = [(area.width + 2 * area.bleed) * 72 / 25.4, (area.height + 2 * area.bleed) * 72 / 25.4]
            assert (len(pages), size) == (1, pytest.approx(expected, abs=0.01))
        else:
            assert pages[0].mediabox.width == pytest.approx(595.28, abs=0.01)  # A4
    # And the order itself is as the payment left it
    with pg_app.app_context():
        assert db.session.get_one(Order, order.id).status == OrderStatus.PAID


# The order of paid_order(): a mug (1 view + summary), a cake (3 views + summary), a curtain (1 + summary).
PROOFS_PER_ORDER = 8


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_summary_shows_the_order_the_line_and_the_texts_as_made(pg_app: Flask) -> None:
    order = paid_order(pg_app)
    mug = line_ids(pg_app, order.id)[0]
    found = {(s.line_id, s.kind): s for s in stored(pg_app, order.id)}
    summary = text_of(found[(mug, "spec")].data)
    assert f"Order {order.number}" in summary
    assert "Line 1 of 3" in summary
    assert "Engraved mug [engraved-mug]" in summary
    assert "Quantity 1" in summary
    assert "Sage green [sage]  #9CAF88" in summary
    assert "Ada & Sam 9 characters" in summary
    assert "font script (assets/fonts/DejaVuSerif-Italic.ttf)" in summary
    # And the mug's print file carries the engraving as text
    assert text_of(found[(mug, "view")].data).strip() == "Ada & Sam"


def test_running_again_adds_nothing(pg_app: Flask) -> None:
    # Given a paid order with its proofs
    order = paid_order(pg_app)
    before = stored(pg_app, order.id)
    assert len(before) == PROOFS_PER_ORDER
    # When the task runs again, twice, and the payment is reported again
    run_again(pg_app, order.id)
    run_again(pg_app, order.id)
    with pg_app.app_context():
        from configurator.orders import services as orders

        assert orders.mark_paid(order.id, "test") is False
    # Then no row, no byte and no file changed
    assert stored(pg_app, order.id) == before
    assert proof_count(pg_app) == PROOFS_PER_ORDER


def test_a_lost_file_is_rendered_again_under_its_key(pg_app: Flask) -> None:
    order = paid_order(pg_app)
    before = stored(pg_app, order.id)
    lost = next(s for s in before if s.view == "slice")
    assert lost.blob_key.endswith("/slice.pdf")
    (blob_store(pg_app).path(lost.blob_key)).unlink()  # type: ignore[attr-defined]
    result = pg_app.test_cli_runner().invoke(main, ["proofs", "render", order.number.lower()])
    assert result.exit_code == 0, result.output
    after = stored(pg_app, order.id)
    assert len(after) == len(before)
    assert next(s for s in after if s.view == "slice").data == lost.data  # files are drawn to the same bytes


class BrokenStore:
    """A blob store whose disk is gone."""

    def put(self, key: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    def get(self, key: str) -> bytes | None:
        return None

    def exists(self, key: str) -> bool:
        return False


def test_a_failing_store_leaves_the_order_paid_and_a_later_run_finishes(pg_app: Flask) -> None:
    # Given a blob store that fails every write
    broken: BlobStore = BrokenStore()
    pg_app.extensions[BLOBS] = broken
    # When an order is paid
    order = paid_order(pg_app)
    # Then the order is paid and has no proofs yet
    with pg_app.app_context():
        assert db.session.get_one(Order, order.id).status == OrderStatus.PAID
        db.session.remove()
    assert proof_count(pg_app) == 0
    # And once the store is back, running the task again makes all of them
    pg_app.extensions[BLOBS] = MemoryBlobStore()
    run_again(pg_app, order.id)
    assert len(stored(pg_app, order.id)) == PROOFS_PER_ORDER


def test_the_render_command_refuses_an_unknown_order(pg_app: Flask) -> None:
    result = pg_app.test_cli_runner().invoke(main, ["proofs", "render", "ZZZZ-ZZZZ"])
    assert result.exit_code == 1
    assert "Error: No order" in result.output


def test_an_unpaid_order_has_no_proofs(pg_app: Flask) -> None:
    order = make_order(pg_app, [MUG], paid=False)
    run_again(pg_app, order.id)
    assert proof_count(pg_app) == 0


# -- Admin API ----------------------------------------------------------------------------------------


def test_the_admin_api_lists_and_serves_the_proofs(pg_app: Flask, pg_client: FlaskClient) -> None:
    order = paid_order(pg_app)
    mug, cake, curtain = line_ids(pg_app, order.id)
    files = {(s.line_id, s.blob_key.rpartition("/")[2]): s for s in stored(pg_app, order.id)}
    auth = admin_headers(pg_app, "orders:read")

    listed = pg_client.get(f"{ADMIN}/{order.number}/proofs", headers=auth)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["number"] == order.number
    number = order.number
    assert [
        (i["line"], i["line_number"], i["kind"], i["view"], i["name"], i["file_name"]) for i in body["items"]
    ] == [
        (mug, 1, "view", "front", "front.pdf", f"{number}-1-front.pdf"),
        (mug, 1, "spec", "", "spec.pdf", f"{number}-1-spec.pdf"),
        (cake, 2, "view", "front", "front.pdf", f"{number}-2-front.pdf"),
        (cake, 2, "view", "slice", "slice.pdf", f"{number}-2-slice.pdf"),
        (cake, 2, "view", "top", "top.pdf", f"{number}-2-top.pdf"),
        (cake, 2, "spec", "", "spec.pdf", f"{number}-2-spec.pdf"),
        (curtain, 3, "view", "front", "front.pdf", f"{number}-3-front.pdf"),
        (curtain, 3, "spec", "", "spec.pdf", f"{number}-3-spec.pdf"),
    ]
    for item in body["items"]:
        expected = files[(item["line"], item["name"])]
        assert (item["format"], item["size"], item["sha256"]) == (
            expected.format,
            expected.byte_size,
            expected.sha256,
        )
        assert item["url"] == f"{ADMIN}/{order.number}/proofs/{item['line']}/{item['name']}"

        served = pg_client.get(item["url"], headers=auth)
        assert served.status_code == 200
        assert served.mimetype == {"png": "image/png", "pdf": "application/pdf"}[item["format"]]
        assert served.data == expected.data
        assert served.headers["Content-Disposition"] == f'attachment; filename="{item["file_name"]}"'
        assert served.headers["ETag"] == f'"{expected.sha256}"'  # strong
        again = pg_client.get(item["url"], headers={**auth, "If-None-Match": served.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b"")


def test_files_download_under_the_configured_name(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a workshop that names files product first, with the line's id
    pg_app.config["ATELIER_PROOF_FILE_NAME"] = "{product}_{order}_{line_id}_{view}"
    order = make_order(pg_app, [MUG])
    mug = line_ids(pg_app, order.id)[0]
    auth = admin_headers(pg_app, "orders:read")
    # Then the listing and the downloads name the files so, and their URLs are the same as ever
    items = pg_client.get(f"{ADMIN}/{order.number}/proofs", headers=auth).get_json()["items"]
    assert [(i["name"], i["file_name"]) for i in items] == [
        ("front.pdf", f"engraved-mug_{order.number}_{mug}_front.pdf"),
        ("spec.pdf", f"engraved-mug_{order.number}_{mug}_spec.pdf"),
    ]
    served = pg_client.get(f"{ADMIN}/{order.number}/proofs/{mug}/spec.pdf", headers=auth)
    assert served.headers["Content-Disposition"] == (
        f'attachment; filename="engraved-mug_{order.number}_{mug}_spec.pdf"'
    )


def test_a_view_rendered_as_png_before_print_files_is_kept_and_served(
    pg_app: Flask, pg_client: FlaskClient
) -> None:
    # Given a paid mug whose view was stored as a PNG, as proofs were before print files
    order = make_order(pg_app, [MUG])
    mug = line_ids(pg_app, order.id)[0]
    png = b"\x89PNG\r\n\x1a\n an older proof"
    key = f"proofs/{order.number}/{mug}/front.png"
    with pg_app.app_context():
        blob_store(pg_app).put(key, png)
        proof = db.session.scalars(
            select(Proof).where(Proof.order_line_id == mug, Proof.kind == "view")
        ).one()
        proof.format, proof.blob_key = "png", key
        proof.sha256, proof.byte_size = hashlib.sha256(png).hexdigest(), len(png)
        db.session.commit()
    # When the task runs again
    run_again(pg_app, order.id)
    # Then the PNG is kept as it was, listed and served under its own name
    assert [(s.view, s.format, s.data) for s in stored(pg_app, order.id) if s.kind == "view"] == [
        ("front", "png", png)
    ]
    served = pg_client.get(f"{ADMIN}/{order.number}/proofs/{mug}/front.png", headers=admin_headers(pg_app))
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", png)
    assert served.headers["Content-Disposition"] == f'attachment; filename="{order.number}-1-front.png"'


def test_proofs_need_the_orders_read_scope(pg_app: Flask, pg_client: FlaskClient) -> None:
    order = paid_order(pg_app)
    mug = line_ids(pg_app, order.id)[0]
    designs_only = admin_headers(pg_app, "designs:read")
    for url in (f"{ADMIN}/{order.number}/proofs", f"{ADMIN}/{order.number}/proofs/{mug}/front.pdf"):
        assert pg_client.get(url).status_code == 401
        refused = pg_client.get(url, headers=designs_only)
        assert refused.status_code == 403
        assert refused.get_json()["code"] == "forbidden"


def test_unknown_orders_lines_and_names_are_404_problems(pg_app: Flask, pg_client: FlaskClient) -> None:
    order = paid_order(pg_app)
    other = make_order(pg_app, [CURTAIN])
    mug = line_ids(pg_app, order.id)[0]
    elsewhere = line_ids(pg_app, other.id)[0]
    auth = admin_headers(pg_app, "orders:read")
    missing = [
        f"{ADMIN}/ZZZZ-ZZZZ/proofs",
        f"{ADMIN}/not-a-number/proofs",
        f"{ADMIN}/ZZZZ-ZZZZ/proofs/{mug}/front.pdf",
        f"{ADMIN}/{order.number}/proofs/{elsewhere}/spec.pdf",  # a line of another order
        f"{ADMIN}/{order.number}/proofs/999999/spec.pdf",
        f"{ADMIN}/{order.number}/proofs/{mug}/back.pdf",
        f"{ADMIN}/{order.number}/proofs/{mug}/front.png",  # views are print files (PDF) now
        f"{ADMIN}/{order.number}/proofs/{mug}/spec.png",
        f"{ADMIN}/{order.number}/proofs/{mug}/.png",
        f"{ADMIN}/{order.number}/proofs/{mug}/front",
        f"{ADMIN}/{order.number}/proofs/{mug}/{order.number}-1-front.pdf",  # a download name, not a name
        f"{ADMIN}/{order.number}/proofs/line/front.pdf",
        f"{ADMIN}/{order.number}/proofs/9223372036854775808/spec.pdf",
    ]
    for url in missing:
        response = pg_client.get(url, headers=auth)
        assert (url, response.status_code, response.mimetype) == (url, 404, "application/problem+json")


def test_a_proof_whose_file_is_gone_is_a_404(pg_app: Flask, pg_client: FlaskClient) -> None:
    order = paid_order(pg_app)
    mug = line_ids(pg_app, order.id)[0]
    pg_app.extensions[BLOBS] = MemoryBlobStore()  # every file lost
    response = pg_client.get(f"{ADMIN}/{order.number}/proofs/{mug}/spec.pdf", headers=admin_headers(pg_app))
    assert response.status_code == 404
    assert "render" in response.get_json()["detail"]


def test_an_unpaid_order_lists_no_proofs(pg_app: Flask, pg_client: FlaskClient) -> None:
    order = make_order(pg_app, [MUG], paid=False)
    response = pg_client.get(f"{ADMIN}/{order.number}/proofs", headers=admin_headers(pg_app))
    assert response.status_code == 200
    assert response.get_json()["items"] == []


def test_the_proof_endpoints_answer_as_documented(pg_app: Flask) -> None:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    order = paid_order(pg_app)
    mug = line_ids(pg_app, order.id)[0]
    auth = admin_headers(pg_app)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", pg_app)
    listing = schema[ADMIN + "/{number}/proofs"]["GET"]
    download = schema[ADMIN + "/{number}/proofs/{line_id}/{name}"]["GET"]
    calls = [
        (listing, {"number": order.number}),
        (listing, {"number": "ZZZZ-ZZZZ"}),
        (download, {"number": order.number, "line_id": mug, "name": "front.pdf"}),
        (download, {"number": order.number, "line_id": mug, "name": "spec.pdf"}),
        (download, {"number": order.number, "line_id": mug, "name": "nope.png"}),
    ]
    statuses = []
    for operation, path in calls:
        case = operation.Case(headers=dict(auth), path_parameters=path)
        statuses.append(case.call_and_validate(checks=checks).status_code)
    assert statuses == [200, 404, 200, 200, 404]
    responses = schema.raw_schema["paths"][ADMIN + "/{number}/proofs/{line_id}/{name}"]["get"]["responses"]
    assert responses["200"]["content"] == {
        "image/png": {"schema": {"type": "string", "format": "binary"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    }


# -- Real workers (PostgreSQL, Redis) -----------------------------------------------------------------


def finished(workers: list[Worker]) -> int:
    """Runs of the proofs task the workers have finished, whatever they found to do."""
    lines = (line for w in workers for line in w.output().splitlines())
    return sum("proofs.render_proofs[" in line and "succeeded" in line for line in lines)


def test_workers_render_each_proof_once_however_often_the_task_is_sent(
    pg_app: Flask, pg_config: dict[str, Any], redis_server: Redis, tmp_path: Path
) -> None:
    from configurator import create_app

    # Given two workers on the shop's broker, database and blob store
    flush_broker(redis_server.url)
    shop = create_app({**pg_config, "ATELIER_BROKER_URL": redis_server.url})
    environment = worker_environment(
        pg_config["SQLALCHEMY_DATABASE_URI"],
        redis_server.url,
        ATELIER_MEDIA_ROOT=pg_config["ATELIER_MEDIA_ROOT"],
        ATELIER_CATALOG=str(DEMO_CATALOG),
    )
    workers = [Worker(environment, tmp_path).start() for _ in range(2)]
    try:
        # When an order is paid, and its task is sent twice more at once
        order = paid_order(shop)
        with shop.app_context():
            send_now(render_proofs, order.id)
            send_now(render_proofs, order.id)
        # A wait: three renders take seconds, a minute on a busy machine
        wait_until(lambda: finished(workers) >= 3, 180, what=lambda: "\n".join(w.output() for w in workers))
    finally:
        for worker in workers:
            worker.stop()
    # Then each file was stored once, and the bytes under each key are the ones its row describes
    found = stored(pg_app, order.id)
    assert len(found) == PROOFS_PER_ORDER
    for proof in found:
        assert proof.data is not None
        assert hashlib.sha256(proof.data).hexdigest() == proof.sha256


def test_the_sweep_sends_again_the_proofs_a_lost_enqueue_left_out(pg_app: Flask) -> None:
    from datetime import timedelta

    from sqlalchemy import delete, update

    from configurator.dbtypes import utcnow
    from configurator.proofs.tasks import sweep_proofs

    # Given a paid order whose proofs never came (their rows are gone), paid 20 minutes ago
    order = paid_order(pg_app)
    with pg_app.app_context():
        line_ids = select(OrderLine.id).where(OrderLine.order_id == order.id)
        db.session.execute(delete(Proof).where(Proof.order_line_id.in_(line_ids)))
        db.session.execute(
            update(Order).where(Order.id == order.id).values(paid_at=utcnow() - timedelta(minutes=20))
        )
        db.session.commit()
        assert proofs.orders_missing_proofs(timedelta(minutes=10)) == [order.id]
        # When the sweep runs (twice: it is safe to)
        assert sweep_proofs() == 1
        db.session.remove()
        assert sweep_proofs() == 0
    # Then the order has all its proofs again, once
    assert len(stored(pg_app, order.id)) == PROOFS_PER_ORDER


def test_proofs_given_up_are_left_by_the_sweep_until_a_person_asks_again(pg_app: Flask) -> None:
    from datetime import timedelta

    from sqlalchemy import delete, update

    from configurator.dbtypes import utcnow
    from configurator.proofs.models import ProofFailure
    from configurator.proofs.tasks import sweep_proofs

    # Given a paid order without proofs, paid 20 minutes ago, whose rendering was given up (every
    # delivery of its task killed the worker)
    order = paid_order(pg_app)
    with pg_app.app_context():
        line_ids = select(OrderLine.id).where(OrderLine.order_id == order.id)
        db.session.execute(delete(Proof).where(Proof.order_line_id.in_(line_ids)))
        db.session.execute(
            update(Order).where(Order.id == order.id).values(paid_at=utcnow() - timedelta(minutes=20))
        )
        db.session.commit()
        proofs.give_up(order.id, "given up after 5 deliveries that never finished")
        proofs.give_up(order.id, "a second report changes nothing")
        # Then the sweep leaves it alone
        assert proofs.orders_missing_proofs(timedelta(minutes=10)) == []
        assert sweep_proofs() == 0
        db.session.remove()
    assert proof_count(pg_app) == 0
    # When a person asks for its proofs again
    result = pg_app.test_cli_runner().invoke(main, ["proofs", "render", order.number])
    # Then they are told why they had been given up, the mark is gone, and the proofs are made
    assert result.exit_code == 0, result.output
    assert (
        "had been given up (given up after 5 deliveries that never finished); trying again" in result.output
    )
    with pg_app.app_context():
        assert db.session.get(ProofFailure, order.id) is None
    assert len(stored(pg_app, order.id)) == PROOFS_PER_ORDER


def test_the_beat_schedules_the_sweeps_and_clean_ups(pg_app: Flask) -> None:
    schedule = pg_app.extensions["celery"].conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert {
        "mail.sweep_outbox",
        "proofs.sweep",
        "idempotency.purge_expired",
        "insights.aggregate_recent",
    } <= tasks
