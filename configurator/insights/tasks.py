"""Counting days into insights: one task per day (idempotent: the day is rebuilt whole), and the
hourly beat job that keeps today and yesterday current (yesterday catches late events and payments)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task

from configurator.insights import services

logger = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0


@shared_task(name="insights.aggregate", acks_late=True)
def aggregate(day: str) -> int:
    """Rebuild one UTC day's counts (`YYYY-MM-DD`); the number of rows written, -1 if another run was
    rebuilding it (that run writes the same numbers)."""
    done = services.aggregate(date.fromisoformat(day))
    return -1 if done.busy else done.rows


@shared_task(name="insights.aggregate_recent", acks_late=True)
def aggregate_recent() -> list[int]:
    """Rebuild yesterday and today (run by beat every hour)."""
    today = services.today()
    return [aggregate(day.isoformat()) for day in (today - timedelta(days=1), today)]
