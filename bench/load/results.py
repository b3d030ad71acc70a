"""A locust run's figures, read back from the files locust writes: per request name and overall,
requests/s, p50 / p95 / p99, failures (errors and stale-edit conflicts apart).

Percentiles come from locust's per-name response-time histograms (its --json-file), so any set
of names can be combined exactly as locust would: overall, and "working" (everything but the
login, which every simulated person does once at the start while a real one stays logged in for
days, and which is slow on purpose — PBKDF2). Locust keeps times under 100 ms to the
millisecond, then rounds to 10 ms (and to 100 ms above 1 s), so the percentiles are that exact.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

from bench.load import mix

LOGIN = {mix.LOGIN_PAGE, mix.LOG_IN}


def percentile(histogram: Counter, fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest time at or under which `fraction` of the
    requests were answered."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for time_ms in sorted(histogram):
        seen += histogram[time_ms]
        if seen >= rank:
            return time_ms
    return max(histogram)


def figures(entries: list[dict], duration: float) -> dict:
    histogram: Counter = Counter()
    for entry in entries:
        histogram.update({int(k): v for k, v in entry["response_times"].items()})
    requests = sum(e["num_requests"] for e in entries)
    total_ms = sum(e["total_response_time"] for e in entries)
    return {
        "requests": requests,
        "failures": sum(e["num_failures"] for e in entries),
        "requests_per_s": round(requests / duration, 2) if duration else None,
        "p50_ms": percentile(histogram, 0.50),
        "p95_ms": percentile(histogram, 0.95),
        "p99_ms": percentile(histogram, 0.99),
        "mean_ms": round(total_ms / requests, 1) if requests else None,
        "max_ms": round(max((e["max_response_time"] for e in entries), default=0), 1),
    }


def read(prefix: Path) -> dict:
    """Everything the runner reports, from `<prefix>.json` and `<prefix>_failures.csv`."""
    entries = json.loads(Path(f"{prefix}.json").read_text())
    starts = [e["start_time"] for e in entries if e["num_requests"]]
    ends = [e["last_request_timestamp"] for e in entries if e["num_requests"]]
    duration = (max(ends) - min(starts)) if starts else 0.0
    failures = []
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with open(failures_csv, newline="") as fh:
            for row in csv.DictReader(fh):
                error = row["Error"]
                # locust wraps a failure's message as CatchResponseError('…')
                conflict = mix.CONFLICT in error
                failures.append(
                    {
                        "method": row["Method"],
                        "name": row["Name"],
                        "error": error,
                        "occurrences": int(row["Occurrences"]),
                        "conflict": conflict,
                    }
                )
    conflicts = sum(f["occurrences"] for f in failures if f["conflict"])
    overall = figures(entries, duration)
    overall["conflicts"] = conflicts
    overall["errors"] = overall["failures"] - conflicts
    by_name = sorted(entries, key=lambda e: (e["name"], e["method"]))
    seen = {e["name"] for e in entries if e["num_requests"]}
    return {
        "duration_s": round(duration, 1),
        "overall": overall,
        "working": figures([e for e in entries if e["name"] not in LOGIN], duration),
        "requests": [
            {"name": e["name"], "method": e["method"], **figures([e], duration)} for e in by_name
        ],
        "failures": failures,
        "not_exercised": [name for name in mix.ALL if name not in seen],
    }
