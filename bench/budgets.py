"""The performance budgets of DESIGN.md, by kind of endpoint (server time p95, SQL queries)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    kind: str
    p95_ms: float
    max_queries: int | None  # None: "constant in the number of rows", checked by the test suite


BUDGETS = {
    "list": Budget("list page, first page, any sort", 25, None),
    "search": Budget("global search / duplicate check while typing", 20, 3),
    "htmx": Budget("HTMX interaction", 20, 8),
    "report": Budget("built-in report or dashboard section", 150, None),
    "page": Budget("detail page", 150, None),
}

# Budgets of features that do not exist yet: printed by --check as "not built", never as passed.
# (The imports have benches of their own: python -m bench.contact_import for "10,000 contacts
# ≤ 10 s", python -m bench.calendar_import for "a 5,000-event calendar ≤ 5 s"; the load test is
# python -m bench.load.)
NOT_BUILT: list[str] = []
