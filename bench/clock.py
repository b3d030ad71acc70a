"""The bench's clock: the day its data is built around, not the day it runs.

The seed lays its meetings, tasks and changes around `--today`, and the reports and dashboards
read "today", "this week" and "the last 14 days" from the clock. On the real date, weeks after
the seed, those windows fall where the data has nothing, and a report over an empty window is
quick for the wrong reason. So the bench measures at 10:00 on `--today` in the organisation's
time zone, with the clock running on from there (time-machine; `time.perf_counter`, which the
bench times with, is left alone).
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings

WORKDAY_MORNING = time(10, 0)


def day_argument(text: str) -> str:
    """`--today` as argparse takes it: a YYYY-MM-DD date, else a clear usage error (not a
    traceback after seeding, nor load-test workers that never start)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-02") from None
    return text


def morning_of(day: str) -> datetime:
    return datetime.combine(
        date.fromisoformat(day), WORKDAY_MORNING, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def _travel(day: str) -> time_machine.travel:
    return time_machine.travel(morning_of(day), tick=True)


@contextmanager
def pinned(day: str):
    """Everything inside runs as if it were 10:00 on `day` (ticking)."""
    with _travel(day):
        yield


def activities_near(day: str, days: int = 7) -> int:
    """Activities within `days` of `day`: none means the database was seeded around another
    date, and every dated report would be measured over an empty window."""
    from contacts.models import Activity

    middle = morning_of(day)
    return Activity.all_objects.filter(
        occurs_at__gte=middle - timedelta(days=days), occurs_at__lt=middle + timedelta(days=days)
    ).count()


def pin_for_good(day: str) -> None:
    """As `pinned`, for the rest of the process: a load-test worker (bench/load/app.py)."""
    _travel(day).start()
