"""The merchant's admin API under /api/v1/admin: orders, exports, designs and rule sets.

Every operation needs an admin token (`Authorization: Bearer atk_...`) holding the scope it names;
see docs/admin.md. Lists are paged the same way: `page` and `page_size` in the query, and `page`,
`page_size`, `total`, `pages` and `links` beside the `items` in the body.
"""

from __future__ import annotations

import csv
import functools
import http
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from flask import Response, request, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import Api
from marshmallow import Schema

from configurator.admin import availability as admin_availability
from configurator.admin import designs as admin_designs
from configurator.admin import orders as admin_orders
from configurator.admin import partners as admin_partners
from configurator.admin import rulesets
from configurator.admin.auth import AdminBlueprint, current_token, register_security_scheme
from configurator.api.admin_schemas import (
    AdminAvailabilityListSchema,
    AdminAvailabilityQuerySchema,
    AdminAvailabilitySetSchema,
    AdminBrandChangeProblemSchema,
    AdminDesignDetailSchema,
    AdminDesignListQuerySchema,
    AdminDesignListSchema,
    AdminExportRowSchema,
    AdminOptionAvailabilitySchema,
    AdminOrderDetailSchema,
    AdminOrderFilterSchema,
    AdminOrderListQuerySchema,
    AdminOrderListSchema,
    AdminPageQuerySchema,
    AdminPartnerListSchema,
    AdminProofListSchema,
    AdminRuleSetListQuerySchema,
    AdminRuleSetProblemSchema,
    AdminRuleSetPublishSchema,
    AdminRuleSetResultSchema,
    AdminRuleSetUploadSchema,
    AdminTransitionRequestSchema,
    AdminTransitionResultSchema,
    AdminVersionListSchema,
)
from configurator.api.pages import page_body
from configurator.availability import services as availability
from configurator.catalog.models import ProductVersion
from configurator.catalog.services import violation_data
from configurator.dbtypes import utcnow
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.errors import PROBLEM_JSON
from configurator.locale import request_locale
from configurator.orders.models import Order, OrderStatus
from configurator.orders.services import ALLOWED
from configurator.proofs import services as proofs
from configurator.storage import blob_store

blp = AdminBlueprint(
    "admin",
    __name__,
    url_prefix="/api/v1/admin",
    description="The merchant's back office: orders, exports, designs and rule sets (admin token)",
)

View = TypeVar("View", bound=Callable[..., Any])
TOO_LARGE = http.HTTPStatus(413).name


def register(api: Api) -> None:
    """Document the admin token scheme and register the blueprint (after `Api.init_app`)."""
    register_security_scheme(api)
    api.register_blueprint(blp)


# --- shaping ---------------------------------------------------------------------------------------


def _version(version: ProductVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "product_key": version.product_key,
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "activated_at": version.activated_at,
    }


def _order_summary(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "email": order.email,
        "name": order.name,
        "currency": order.currency,
        "total": admin_orders.money(order.total, order.currency),
        "refunded": admin_orders.money(order.refunded, order.currency),
        "status_note": order.status_note,
        "line_count": len(order.lines),
        "products": sorted({line.product_key for line in order.lines}),
        "links": {"self": url_for("admin.OrderDetail", number=order.number)},
    }


def _order_detail(order: Order) -> dict[str, Any]:
    def money(amount: Decimal | str) -> Decimal:
        return admin_orders.money(amount, order.currency)

    return {
        "number": order.number,
        "status": order.status,
        "next_statuses": sorted(s.value for s in ALLOWED[OrderStatus(order.status)]),
        "currency": order.currency,
        "prices_include_tax": order.prices_include_tax,
        "subtotal": money(order.subtotal),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "total": money(order.total),
        "refunded": money(order.refunded),
        "status_note": order.status_note,
        "summary": [{**line, "amount": money(line["amount"])} for line in order.summary],
        "contact": {"email": order.email, "name": order.name, "address": order.address},
        "payment_provider": order.payment_provider,
        "partner": order.partner.name if order.partner is not None else None,
        "timestamps": admin_orders.timestamps(order),
        "lines": [
            {
                "id": line.id,
                "design": line.design.public_id,
                "product_key": line.product_key,
                "version": _version(line.version),
                "choices": line.choices,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "total": money(line.total),
                "price_lines": [{**p, "amount": money(p["amount"])} for p in line.price_lines],
                "production": line.production,
                "personalised": line.personalised,
            }
            for line in order.lines
        ],
        "history": admin_orders.history(order),
        "links": {"self": url_for("admin.OrderDetail", number=order.number)},
    }


def _proof(order: Order, item: proofs.ListedProof) -> dict[str, Any]:
    proof = item.proof
    return {
        "line": proof.order_line_id,
        "line_number": item.line_number,
        "kind": proof.kind,
        "view": proof.view,
        "name": proof.file_name,
        "file_name": item.download_name,
        "format": proof.format,
        "size": proof.byte_size,
        "sha256": proof.sha256,
        "created_at": proof.created_at,
        "url": url_for(
            "admin.OrderProofFile", number=order.number, line_id=proof.order_line_id, name=proof.file_name
        ),
    }


def _design(design: Design) -> dict[str, Any]:
    return {
        "public_id": design.public_id,
        "product_key": design.product_key,
        "version": _version(design.version),
        "choices": design.choices,
        "remixed_from": design.remixed_from.public_id if design.remixed_from is not None else None,
        "created_at": design.created_at,
        "links": {"self": url_for("admin.DesignDetail", public_id=design.public_id)},
    }


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def rule_set_upload(schema: type[Schema], *more: Decorator) -> Decorator:
    """What publishing and checking a rule set share: the scope, the body's limit and schema, and the
    answers (413 before reading; 422 with file, line and column), then the operation's own (`more`)."""
    stack = (
        blp.requires("catalog:publish"),
        limit_body(rulesets.MAX_BODY_BYTES),
        blp.arguments(schema),
        blp.response(200, AdminRuleSetResultSchema),
        blp.alt_response(413, response=TOO_LARGE),
        blp.alt_response(
            422,
            schema=AdminRuleSetProblemSchema,
            content_type=PROBLEM_JSON,
            description="The files do not pass the checks of `atelier rules check`: each error gives "
            "file, line, column, message and hint",
        ),
        *more,
    )

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        for decorate in reversed(stack):
            view = decorate(view)
        return view

    return decorator


def rule_set_answer(answer: rulesets.RuleSetAnswer) -> dict[str, Any]:
    return {
        "published": answer.published,
        "products": [
            {
                "product_key": o.product_key,
                "outcome": o.outcome,
                "version_id": o.version.id if o.version is not None else None,
                "content_hash": o.content_hash,
                "previous_version_id": o.previous.id if o.previous is not None else None,
            }
            for o in answer.products
        ],
        "warnings": [w.to_dict() for w in answer.warnings],
        "invalidated": answer.invalidated,
        "brand_change": answer.brand_change.to_dict() if answer.brand_change is not None else None,
        "price_changes": answer.price_changes.to_dict(),
    }


def _filter(args: dict[str, Any]) -> admin_orders.OrderFilter:
    return admin_orders.OrderFilter(
        status=args.get("status"),
        created_from=args.get("created_from"),
        created_to=args.get("created_to"),
        product=args.get("product"),
        email=args.get("email"),
        partner=args.get("partner"),
    )


# --- exports ---------------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"); names,
# e-mail addresses and engraving texts come from shoppers, so every text cell is defused.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


def csv_cell(value: Any) -> str:
    """One CSV cell: numbers and dates as written, text defused with a leading quote.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_cell(Decimal("14.50")), csv_cell(None), csv_cell({"engraving": "=1+2"})
    ('14.50', '', '{"engraving": "=1+2"}')
    """
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_stream(rows: Iterable[admin_orders.ExportRow]) -> Iterator[str]:
    """The export as CSV text, a header then one record per order line, in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(admin_orders.EXPORT_FIELDS)
    for row in rows:
        writer.writerow([csv_cell(getattr(row, name)) for name in admin_orders.EXPORT_FIELDS])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_stream(rows: Iterable[admin_orders.ExportRow]) -> Iterator[str]:
    """The export as one JSON array, written a row at a time."""
    schema = AdminExportRowSchema()
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(schema.dump(row), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def _download(chunks: Iterator[str], mimetype: str, extension: str) -> Response:
    name = f"orders-{utcnow().strftime('%Y%m%d-%H%M%S')}.{extension}"
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def limit_body(max_bytes: int) -> Callable[[View], View]:
    """Refuse a request body over `max_bytes` with 413 before it is read."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request.max_content_length = max_bytes
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


# --- orders ----------------------------------------------------------------------------------------


@blp.route("/orders")
class Orders(MethodView):
    @blp.requires("orders:read")
    @blp.arguments(AdminOrderListQuerySchema, location="query")
    @blp.response(200, AdminOrderListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List orders, newest first, filtered by status, creation day, product or e-mail."""
        found = admin_orders.list_orders(_filter(args), args["page"], args["page_size"])
        return page_body(found, [_order_summary(order) for order in found.items])


@blp.route("/orders/export.csv")
class OrdersCsv(MethodView):
    @blp.requires("orders:read")
    @blp.arguments(AdminOrderFilterSchema, location="query")
    @blp.response(
        200,
        {"type": "string"},
        content_type="text/csv",
        description="One record per order line; text cells starting with = + - @ are prefixed with '",
    )
    def get(self, args: dict[str, Any]) -> Response:
        """Export the filtered orders as CSV, one row per order line (streamed)."""
        rows = admin_orders.export_rows(_filter(args))
        return _download(csv_stream(rows), "text/csv", "csv")


@blp.route("/orders/export.json")
class OrdersJson(MethodView):
    @blp.requires("orders:read")
    @blp.arguments(AdminOrderFilterSchema, location="query")
    @blp.response(200, AdminExportRowSchema(many=True), description="One object per order line")
    def get(self, args: dict[str, Any]) -> Response:
        """Export the filtered orders as a JSON array, one object per order line (streamed)."""
        rows = admin_orders.export_rows(_filter(args))
        return _download(json_stream(rows), "application/json", "json")


@blp.route("/orders/<number>")
class OrderDetail(MethodView):
    @blp.requires("orders:read")
    @blp.response(200, AdminOrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, number: str) -> dict[str, Any]:
        """The whole order: lines with their choices, price lines and rule version, totals, history."""
        return _order_detail(admin_orders.find(number))


@blp.route("/orders/<number>/transitions")
class OrderTransitions(MethodView):
    @blp.requires("orders:write")
    @blp.arguments(AdminTransitionRequestSchema)
    @blp.response(200, AdminTransitionResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Move the order to another state (409 when its state does not allow it); recorded in history."""
        order, changed = admin_orders.advance(
            number, OrderStatus(body["to"]), f"admin:{current_token().name}", body["note"]
        )
        return {"changed": changed, "order": _order_detail(order)}


@blp.route("/orders/<number>/proofs")
class OrderProofs(MethodView):
    @blp.requires("orders:read")
    @blp.response(200, AdminProofListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, number: str) -> dict[str, Any]:
        """The order's production proofs: each line's print file per view, then its summary sheet.

        Rendered by a background task once the order is paid; the list fills in as files are stored."""
        order, found = proofs.proofs_of(number)
        return {"number": order.number, "items": [_proof(order, item) for item in found]}


BINARY = {"type": "string", "format": "binary"}
PROOF_FILE = {
    "description": "The proof's bytes, as a download",
    "content": {media: {"schema": BINARY} for media in proofs.MIMETYPES.values()},
    "headers": {
        "ETag": {"description": "Strong entity tag: the file's SHA-256", "schema": {"type": "string"}},
        "Content-Disposition": {
            "description": 'attachment; filename="<the file name ATELIER_PROOF_FILE_NAME makes>"',
            "schema": {"type": "string"},
        },
    },
}


@blp.route("/orders/<number>/proofs/<int(max=2147483647):line_id>/<name>")  # order_lines.id is 32-bit
class OrderProofFile(MethodView):
    @blp.requires("orders:read")
    @blp.doc(responses={"200": PROOF_FILE})
    @blp.alt_response(304, response="NOT_MODIFIED", description="If-None-Match matched")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, number: str, line_id: int, name: str) -> Response:
        """Download one proof (`front.pdf`, `spec.pdf`, ...) of an order line."""
        found = proofs.read(number, line_id, name, blob_store())
        response = Response(found.data, mimetype=found.mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{found.download_name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        # The bytes under this URL never change, but they are the merchant's: no shared cache keeps
        # them, and a client asks again with If-None-Match (a 304 costs no download).
        response.headers["Cache-Control"] = "private, no-cache"
        response.set_etag(found.sha256)
        response.make_conditional(request)
        return response


# --- designs ---------------------------------------------------------------------------------------


@blp.route("/designs")
class Designs(MethodView):
    @blp.requires("designs:read")
    @blp.arguments(AdminDesignListQuerySchema, location="query")
    @blp.response(200, AdminDesignListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List saved designs, newest first, optionally of one product."""
        found = admin_designs.list_designs(args.get("product"), args["page"], args["page_size"])
        return page_body(found, [_design(design) for design in found.items])


@blp.route("/designs/<public_id>")
class DesignDetail(MethodView):
    @blp.requires("designs:read")
    @blp.response(200, AdminDesignDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, public_id: str) -> dict[str, Any]:
        """One saved design, and what the product's live rules say of it today."""
        design = designs.find(public_id)
        check = admin_designs.live_check(design)
        return {
            **_design(design),
            "live": {
                "version_id": check.version_id,
                "valid": check.valid,
                "violations": [violation_data(v, "en") for v in check.violations],
            },
        }


# --- partners --------------------------------------------------------------------------------------


def _partner_usage(found: admin_partners.PartnerUsage) -> dict[str, Any]:
    partner = found.partner
    return {
        "name": partner.name,
        "publishable_key": partner.publishable_key,
        "origins": partner.origin_list,
        "active": partner.active,
        "created_at": partner.created_at,
        "disabled_at": partner.disabled_at,
        "designs": found.designs,
        "orders": found.orders,
        "paid_orders": found.paid_orders,
        "revenue": [{"currency": r.currency, "amount": r.amount, "orders": r.orders} for r in found.revenue],
    }


@blp.route("/partners")
class Partners(MethodView):
    @blp.requires("orders:read")
    @blp.arguments(AdminPageQuerySchema, location="query")
    @blp.response(200, AdminPartnerListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List partners, oldest first, with the designs, orders and paid revenue that came through each."""
        found = admin_partners.usage(args["page"], args["page_size"])
        return page_body(found, [_partner_usage(item) for item in found.items])


# --- rule sets -------------------------------------------------------------------------------------


@blp.route("/rule-sets")
class RuleSets(MethodView):
    @blp.requires("catalog:read")
    @blp.arguments(AdminRuleSetListQuerySchema, location="query")
    @blp.response(200, AdminVersionListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List published product versions, the most recently activated first."""
        found = rulesets.list_versions(args.get("product"), args["page"], args["page_size"])
        items = [
            {
                **_version(row.version),
                "live": row.live,
                "design_count": row.version.design_count,
                "saved_designs": row.saved_designs,
            }
            for row in found.items
        ]
        return page_body(found, items)

    @rule_set_upload(
        AdminRuleSetPublishSchema,
        blp.alt_response(
            409,
            schema=AdminBrandChangeProblemSchema,
            content_type=PROBLEM_JSON,
            description="Another brand than the live one, not confirmed: nothing was published; the "
            "problem lists the open carts and saved designs whose totals it would change",
        ),
    )
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Publish a rule set (brand, products, tables): new versions for changed products only.

        It passes the checks of `atelier rules check` first (422 otherwise). A brand key other than the
        live one is refused (409) unless `confirm_brand_change` is true."""
        answer = rulesets.publish(
            body["files"],
            rulesets.decode_assets(body["assets"]),
            confirm_brand_change=body["confirm_brand_change"],
        )
        return rule_set_answer(answer)


@blp.route("/rule-sets/check")
class RuleSetCheck(MethodView):
    @rule_set_upload(AdminRuleSetUploadSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check a rule set without publishing it: the same validation and answer, nothing stored."""
        return rule_set_answer(rulesets.dry_run(body["files"], rulesets.decode_assets(body["assets"])))


# --- availability ----------------------------------------------------------------------------------


def _marked(marked: admin_availability.Marked) -> dict[str, Any]:
    return admin_availability.option_data(
        marked.product_key, marked.attribute_key, marked.option_key, marked.row, availability.now()
    )


@blp.route("/availability")
class Availability(MethodView):
    @blp.requires("catalog:read")
    @blp.arguments(AdminAvailabilityQuerySchema, location="query")
    @blp.response(200, AdminAvailabilityListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every option of the live products (or of `product`), and whether shoppers can choose it now."""
        return {
            "languages": admin_availability.languages(),
            "items": admin_availability.overview(args.get("product"), request_locale()),
        }


@blp.route("/availability/<product>/<attribute>/<option>")
class OptionAvailability(MethodView):
    @blp.requires("catalog:publish")
    @blp.arguments(AdminAvailabilitySetSchema)
    @blp.response(200, AdminOptionAvailabilitySchema)
    @blp.alt_response(404, response="NOT_FOUND", description="No such product, attribute or option")
    def put(self, body: dict[str, Any], product: str, attribute: str, option: str) -> dict[str, Any]:
        """Take an option off sale at once, without publishing: sold out, or paused until a moment.

        Shoppers see it greyed out with the message; designs, carts and checkout refuse it."""
        marked = admin_availability.mark(
            product,
            attribute,
            option,
            until=body["until"],
            message=body["message"],
            by=f"admin:{current_token().name}",
        )
        return _marked(marked)

    @blp.requires("catalog:publish")
    @blp.response(200, AdminOptionAvailabilitySchema)
    @blp.alt_response(404, response="NOT_FOUND", description="No such product, attribute or option")
    def delete(self, product: str, attribute: str, option: str) -> dict[str, Any]:
        """Put an option back on sale at once (nothing happens if it was on sale)."""
        return _marked(admin_availability.clear(product, attribute, option))
