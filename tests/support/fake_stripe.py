"""A small stand-in for Stripe's API on 127.0.0.1, for tests that must not touch the network.

It answers what the app calls (create and retrieve PaymentIntents, `expand[]=latest_charge` included,
retrieve charges; for pre-orders, Customers, SetupIntents, PaymentIntents confirmed off-session on a
saved card, and detaching a card), records every request with its headers (the Idempotency-Key among
them), replays the stored answer for a repeated idempotency key as Stripe does, and lets a test move an
intent to another status or refund it. As on Stripe, a refund leaves the PaymentIntent `succeeded`: only its
charge says `refunded` and `amount_refunded`. It also builds webhook events and signs them the way
Stripe does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

SECRET_KEY = "sk_test_fake"
PUBLISHABLE_KEY = "pk_test_fake"
WEBHOOK_SECRET = "whsec_fake"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding back into a dict: `metadata[order_id]=7` -> {"metadata": {"order_id": "7"}}."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        target = found
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return found


@dataclass
class FakeStripe:
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    setups: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Saved cards (payment method ids) and the customer each is attached to (None once detached).
    methods: dict[str, str | None] = field(default_factory=dict)
    # Payment methods whose off-session charges the bank refuses, with the decline code it gives.
    declining: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    # How many of the next POST answers to lose: the work is done, then the connection is dropped.
    drop_replies: int = 0
    _replies: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # -- the server --------------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(*fake.handle("GET", self.path, dict(self.headers.items()), b""))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                answer = fake.handle("POST", self.path, dict(self.headers.items()), body)
                if fake.take_dropped_reply():
                    self.close_connection = True
                    return
                self._answer(*answer)

            def _answer(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(8))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet: the test output is for the tests

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-stripe", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, Any]:
        headers = {k.lower(): v for k, v in headers.items()}
        path, _, query = path.partition("?")
        encoded = query if method == "GET" else body.decode()
        params = _nest(parse_qsl(encoded, keep_blank_values=True))
        with self._lock:
            self.requests.append(Recorded(method, path, headers, params))
            if headers.get("authorization") != f"Bearer {SECRET_KEY}":
                return 401, _error("authentication_error", "Invalid API Key provided."), {}
            key = headers.get("idempotency-key")
            if method == "POST" and key is not None and key in self._replies:
                reply, status, sent = self._replies[key]
                if sent != params:
                    message = "Keys for idempotent requests can only be used with the same parameters."
                    return 400, _error("idempotency_error", message), {}
                return status, reply, {"Idempotent-Replayed": "true"}
            status, reply = self._route(method, path, params)
            if method == "POST" and key is not None:
                self._replies[key] = (reply, status, params)
            return status, reply, {}

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "payment_intents"]:
            made = self._create_intent(params)
            return made if isinstance(made, tuple) else (200, made)
        if method == "GET" and parts[:2] == ["v1", "payment_intents"] and len(parts) == 3:
            intent = self.intents.get(parts[2])
            if intent is None:
                return 404, _error("invalid_request_error", f"No such payment_intent: '{parts[2]}'")
            expand = set(params.get("expand", {}).values())
            if "latest_charge" in expand and intent["latest_charge"] is not None:
                return 200, {**intent, "latest_charge": self.charges[intent["latest_charge"]]}
            return 200, intent
        if method == "POST" and parts == ["v1", "customers"]:
            customer = {"id": "cus_" + secrets.token_hex(12), "object": "customer", **params}
            self.customers[customer["id"]] = customer
            return 200, customer
        if method == "POST" and parts == ["v1", "setup_intents"]:
            return 200, self._create_setup(params)
        if method == "GET" and parts[:2] == ["v1", "setup_intents"] and len(parts) == 3:
            setup = self.setups.get(parts[2])
            if setup is None:
                return 404, _error("invalid_request_error", f"No such setupintent: '{parts[2]}'")
            return 200, setup
        if method == "POST" and parts[:2] == ["v1", "payment_methods"] and parts[3:] == ["detach"]:
            if self.methods.get(parts[2]) is None:
                return 400, _error(
                    "invalid_request_error", "The payment method is not attached to a customer."
                )
            self.methods[parts[2]] = None
            return 200, {"id": parts[2], "object": "payment_method", "customer": None}
        if method == "GET" and parts[:2] == ["v1", "charges"] and len(parts) == 3:
            charge = self.charges.get(parts[2])
            if charge is None:
                return 404, _error("invalid_request_error", f"No such charge: '{parts[2]}'")
            return 200, charge
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _create_setup(self, params: dict[str, Any]) -> dict[str, Any]:
        setup_id = "seti_" + secrets.token_hex(12)
        setup = {
            "id": setup_id,
            "object": "setup_intent",
            "customer": params.get("customer"),
            "usage": params.get("usage"),
            "status": "requires_payment_method",
            "payment_method": None,
            "client_secret": f"{setup_id}_secret_{secrets.token_hex(12)}",
            "metadata": params.get("metadata", {}),
            "livemode": False,
        }
        self.setups[setup_id] = setup
        return setup

    def _create_intent(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | dict[str, Any]:
        intent = self._new_intent(params)
        if params.get("confirm") != "true":
            return intent
        # Confirmed at once on a saved card, the shopper away (off_session): succeeded, or declined.
        method = params.get("payment_method")
        if self.methods.get(str(method)) != params.get("customer"):
            return 400, _error(
                "invalid_request_error", "The payment method is not attached to this customer."
            )
        code = self.declining.get(str(method))
        if code is not None:
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"code": code, "type": "card_error"}
            failure = {
                "type": "card_error",
                "code": code,
                "decline_code": code,
                "message": "Your card was declined.",
                "payment_intent": intent,
            }
            return 402, {"error": failure}
        self._succeed(intent)
        return intent

    def _new_intent(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = "pi_" + secrets.token_hex(12)
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "currency": params["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "automatic_payment_methods": {
                "enabled": params.get("automatic_payment_methods", {}).get("enabled") == "true"
            },
            "metadata": params.get("metadata", {}),
            "latest_charge": None,
            "customer": params.get("customer"),
            "payment_method": params.get("payment_method"),
            "livemode": False,
            "created": int(time.time()),
        }
        self.intents[intent_id] = intent
        return intent

    def take_dropped_reply(self) -> bool:
        with self._lock:
            if self.drop_replies > 0:
                self.drop_replies -= 1
                return True
            return False

    # -- what tests ask of it --------------------------------------------------------------------------

    def create_calls(self) -> list[Recorded]:
        """Every PaymentIntent create call received, replays of an idempotency key included."""
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/payment_intents"]

    def confirm_setup(self, setup_id: str, payment_method: str | None = None) -> str:
        """The shopper saves a card in Stripe's form: the setup succeeds with a payment method
        attached to its customer; the method's id."""
        with self._lock:
            setup = self.setups[setup_id]
            method = payment_method or "pm_" + secrets.token_hex(12)
            setup["status"] = "succeeded"
            setup["payment_method"] = method
            self.methods[method] = setup["customer"]
            return method

    def off_session_calls(self) -> list[Recorded]:
        return [r for r in self.create_calls() if r.params.get("off_session") == "true"]

    def set_status(self, intent_id: str, status: str) -> None:
        with self._lock:
            intent = self.intents[intent_id]
            intent["status"] = status
            if status == "succeeded":
                self._succeed(intent)

    def _succeed(self, intent: dict[str, Any]) -> None:
        """Called with the lock held: the intent succeeds with a charge for its amount."""
        intent["status"] = "succeeded"
        if intent["latest_charge"] is None:
            charge_id = "ch_" + secrets.token_hex(12)
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": intent["amount"],
                "currency": intent["currency"],
                "payment_intent": intent["id"],
                "refunded": False,
                "amount_refunded": 0,
            }
            intent["latest_charge"] = charge_id

    def refund(self, intent_id: str, amount: int | None = None) -> str:
        """Refund the intent's charge (in full unless `amount` says less); the charge's id."""
        with self._lock:
            charge = self.charges[self.intents[intent_id]["latest_charge"]]
            charge["amount_refunded"] = charge["amount"] if amount is None else amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            return str(charge["id"])

    def event(self, event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
        """A webhook event's body carrying a copy of `obj` as it is now."""
        body = {
            "id": event_id or "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        return json.dumps(body).encode()


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header: `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{stamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
