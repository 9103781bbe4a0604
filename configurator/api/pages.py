"""A page of a list as the API answers it: its items, paging fields and links that keep the filters."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from configurator.paging import Page


def page_body(found: Page[Any], items: list[Any]) -> dict[str, Any]:
    """A page's paging fields and links; the links keep the request's filters."""
    args = request.args.to_dict()

    def link(page: int) -> str:
        values: dict[str, Any] = {**(request.view_args or {}), **args, "page": page}
        return url_for(request.endpoint or "", **values)

    return {
        "items": items,
        "page": found.page,
        "page_size": found.page_size,
        "total": found.total,
        "pages": found.pages,
        "links": {
            "self": link(found.page),
            "first": link(1),
            "last": link(found.pages),
            "prev": link(found.page - 1) if found.page > 1 else None,
            "next": link(found.page + 1) if found.page < found.pages else None,
        },
    }
