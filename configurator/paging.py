"""One way to page through lists (the admin API's, partners'): page numbers from 1, a bounded page
size, the total count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from configurator.extensions import db

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1, so an empty list still has a first page)."""
        return max(1, -(-self.total // self.page_size))


def paginate(query: Select[Any], page: int, page_size: int) -> Page[Any]:
    """One page of a query's rows (its ORDER BY must be total, or rows may repeat across pages), through
    Flask-SQLAlchemy's own paging; the page numbers were checked by the request's schema."""
    found = db.paginate(query, page=page, per_page=page_size, max_per_page=MAX_PAGE_SIZE, error_out=False)
    return Page(found.items, page, page_size, found.total or 0)
