"""HTTP for images that never change under their URL: strong ETags, a year of caching, 304s, and the
choice between WebP and PNG from the Accept header."""

from __future__ import annotations

from flask import Response, current_app, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_etags, quote_etag

IMMUTABLE = "public, max-age=31536000, immutable"


def negotiate_format(accept: str | None) -> str:
    """WebP when the client says it takes image/webp (q > 0), else PNG, which every client shows.

    Wildcards do not count: `*/*` is what old browsers send too, and they cannot show WebP.

    >>> negotiate_format("image/avif,image/webp,image/apng,*/*;q=0.8"), negotiate_format("*/*")
    ('webp', 'png')
    >>> negotiate_format("image/webp;q=0, image/png"), negotiate_format("IMAGE/WEBP ; q=0.5")
    ('png', 'webp')
    """
    # Werkzeug parses the header (q values, case, spaces); a wildcard's match is ours to refuse.
    offered = parse_accept_header(accept, MIMEAccept)
    takes_webp = any(media.lower() == "image/webp" and quality > 0 for media, quality in offered)
    return "webp" if takes_webp else "png"


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header matches `etag` (unquoted): the weak comparison RFC 9110 asks
    for here, so `W/"x"` matches `"x"`; `*` matches anything; lists are read in full.

    >>> etag_matches('"a", W/"b"', "b"), etag_matches("*", "z"), etag_matches('"a"', "b")
    (True, True, False)
    """
    if not if_none_match:
        return False
    return parse_etags(if_none_match).contains_weak(etag)


def image_response(
    data: bytes, mimetype: str, etag: str, *, vary: str | None = "Accept", inline: bool = True
) -> Response:
    """An image response for the current request: the bytes with a strong ETag (`etag`, quoted) and
    immutable caching, or 304 when the client already has them. `vary` names the request header the
    choice of representation depended on (Accept when WebP or PNG was negotiated)."""
    if etag_matches(request.headers.get("If-None-Match"), etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(data, mimetype=mimetype)
        if inline:
            response.headers["Content-Disposition"] = "inline"
    response.headers["ETag"] = quote_etag(etag)
    response.headers["Cache-Control"] = IMMUTABLE
    # The bytes are ours and their type is exact: browsers must not second-guess it.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if vary:
        response.vary.add(vary)
    return response
