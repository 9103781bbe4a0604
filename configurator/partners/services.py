"""Partners: add one with its origins (its publishable key is made here), change its origins, disable
it; resolve a key; tell whether an origin may use a partner's key; report what partners brought.

Origins are compared exactly, in the form browsers write the `Origin` header: `scheme://host[:port]`,
lower case, no default port, no path. There are no wildcards: a partner lists every origin its pages
are served from (each local development port included), so the CORS answer, the iframe's
`frame-ancestors` and the embed page's `postMessage` checks all use the same exact list.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from configurator.config import Mode
from configurator.dbtypes import looks_like_token, utcnow
from configurator.errors import FieldError
from configurator.extensions import db
from configurator.partners.errors import PartnerInvalid, PartnerNotFound, UnknownPublishableKey
from configurator.partners.models import Partner, PartnerOrigin

LIVE_PREFIX = "pk_live_"
TEST_PREFIX = "pk_test_"
KEY_BYTES = 24  # 192 random bits: publishable, yet not to be guessed or enumerated
MAX_KEY_LENGTH = 64
MAX_ORIGIN_LENGTH = 300
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Pages on these hosts are served by the visitor's own machine: plain http is fine there in production.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
# Orders whose money the shop has and keeps: paid, and neither cancelled nor refunded since.


def _production() -> bool:
    return bool(current_app.config.get("ATELIER_MODE") == Mode.PRODUCTION.value)


def new_key(*, live: bool) -> str:
    """A fresh publishable key: `pk_live_` in production, `pk_test_` in the demo, then 32 characters.

    >>> new_key(live=False).startswith("pk_test_"), len(new_key(live=True))
    (True, 40)
    """
    return (LIVE_PREFIX if live else TEST_PREFIX) + secrets.token_urlsafe(KEY_BYTES)


def normalize_origin(text: str, *, production: bool = False) -> str:
    """The origin as browsers send it in `Origin`, or `PartnerInvalid` saying what is wrong.

    >>> normalize_origin("HTTPS://Shop.Example:443/")
    'https://shop.example'
    >>> normalize_origin("http://localhost:5173", production=True)
    'http://localhost:5173'
    """

    def refuse(detail: str) -> PartnerInvalid:
        return PartnerInvalid(f"{text!r}: {detail}", errors=[FieldError("origins", f"{text!r}: {detail}")])

    raw = text.strip()
    if not raw or len(raw) > MAX_ORIGIN_LENGTH:
        raise refuse(f"give an origin such as https://shop.example (at most {MAX_ORIGIN_LENGTH} characters).")
    if "*" in raw:
        raise refuse("wildcards are not supported; list each origin (each local port too).")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise refuse(f"not an origin ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise refuse("an origin is scheme://host[:port] with the http or https scheme.")
    if parts.username is not None or parts.password is not None:
        raise refuse("an origin has no user name or password.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise refuse("an origin has no path, query or fragment: scheme://host[:port] only.")
    try:
        # Browsers send internationalised host names in their ASCII (punycode) form.
        host = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise refuse("the host name is not valid.") from None
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address, bracketed as in a URL
    if production and scheme != "https" and host not in LOOPBACK_HOSTS:
        raise refuse("use https (plain http is allowed for localhost only in production).")
    origin = f"{scheme}://{host}"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        origin += f":{port}"
    return origin


def _normalized(origins: Iterable[str]) -> list[str]:
    production = _production()
    return list(dict.fromkeys(normalize_origin(o, production=production) for o in origins))


def add(name: str, origins: Sequence[str]) -> Partner:
    """A new partner with these origins and a new publishable key; commits."""
    errors: list[FieldError] = []
    if not NAME_PATTERN.match(name):
        errors.append(
            FieldError(
                "name",
                "Use 1 to 64 letters, digits, dots, dashes or underscores, starting "
                "with a letter or a digit.",
            )
        )
    elif db.session.scalar(select(Partner.id).where(Partner.name == name)):
        # Disabled partners keep their name: orders attributed to it must name one partner.
        errors.append(FieldError("name", f"A partner named {name!r} exists already (perhaps disabled)."))
    if not origins:
        errors.append(FieldError("origins", "Give at least one origin, such as https://shop.example."))
    if errors:
        raise PartnerInvalid("; ".join(e.detail for e in errors), errors=errors)
    partner = Partner(name=name, publishable_key=new_key(live=_production()))
    partner.origins = [PartnerOrigin(origin=o) for o in _normalized(origins)]
    db.session.add(partner)
    db.session.commit()
    return partner


def list_partners() -> list[Partner]:
    """Every partner, disabled ones included, oldest first."""
    return list(db.session.scalars(select(Partner).order_by(Partner.created_at, Partner.id)))


def find(name: str) -> Partner:
    """The partner with this name, or `PartnerNotFound`."""
    partner: Partner | None = db.session.scalar(select(Partner).where(Partner.name == name))
    if partner is None:
        raise PartnerNotFound(f"No partner is named {name!r}.")
    return partner


def disable(name: str) -> Partner:
    """Disable a partner; commits. Its key is refused from the next request on; its orders and
    designs keep their attribution. Disabling twice keeps the first time."""
    partner = find(name)
    if partner.disabled_at is None:
        partner.disabled_at = utcnow()
        db.session.commit()
    return partner


def change_origins(name: str, added: Sequence[str] = (), removed: Sequence[str] = ()) -> Partner:
    """Add and remove origins of a partner; commits. Removing an origin it does not have, or the
    last one it has, is refused (a partner without origins could be embedded nowhere)."""
    partner = find(name)
    production = _production()
    adding = [normalize_origin(o, production=production) for o in added]
    # Removal accepts what `list` shows and what was typed at `add`, whatever its case or slash.
    removing = {_loose(o) for o in removed}
    current = {o.origin: o for o in partner.origins}
    unknown = sorted(r for r in removing if r not in current)
    if unknown:
        raise PartnerInvalid(
            f"{partner.name} has no origin {', '.join(unknown)}.",
            errors=[FieldError("origins", f"Not an origin of {partner.name}: {o}") for o in unknown],
        )
    kept = [o for o in current if o not in removing]
    for origin in adding:
        if origin not in kept:
            kept.append(origin)
    if not kept:
        raise PartnerInvalid(
            "A partner needs at least one origin; disable it instead.",
            errors=[FieldError("origins", "A partner needs at least one origin.")],
        )
    for origin in removing:
        partner.origins.remove(current[origin])
    for origin in adding:
        if origin not in current:
            partner.origins.append(PartnerOrigin(origin=origin))
    db.session.commit()
    return partner


def _loose(text: str) -> str:
    try:
        return normalize_origin(text)
    except PartnerInvalid:
        return text.strip()


def resolve(key: str) -> Partner:
    """The active partner with this publishable key, or `UnknownPublishableKey` (one answer for a
    malformed, unknown or disabled key)."""
    plain = key.strip()
    if (
        not plain.startswith((LIVE_PREFIX, TEST_PREFIX))
        or len(plain) > MAX_KEY_LENGTH
        or not looks_like_token(plain, MAX_KEY_LENGTH)
    ):
        raise UnknownPublishableKey("This is not a publishable key of this shop (pk_live_… or pk_test_…).")
    partner: Partner | None = db.session.scalar(select(Partner).where(Partner.publishable_key == plain))
    if partner is None or not partner.active:
        raise UnknownPublishableKey("No active partner has this publishable key.")
    return partner


def origin_allowed(partner: Partner, origin: str) -> bool:
    """Whether a browser page at `origin` (the `Origin` header, compared exactly) may use the key."""
    return partner.active and origin in partner.origin_list


def origin_listed(origin: str) -> bool:
    """Whether some active partner lists `origin` (a CORS preflight carries no key to look up)."""
    if len(origin) > MAX_ORIGIN_LENGTH:
        return False
    found = db.session.scalar(
        select(PartnerOrigin.id)
        .join(Partner, Partner.id == PartnerOrigin.partner_id)
        .where(PartnerOrigin.origin == origin, Partner.disabled_at.is_(None))
        .limit(1)
    )
    return found is not None
