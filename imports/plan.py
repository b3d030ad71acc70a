"""What every kind of import plans before writing: the records after the file (each matched
or new), each row's outcome, and the counts the preview, the batch and the commands show.

Statuses: a new record is "new"; a match the file changes is "updated" — or "skipped" when the
import skips matches or the importer may not change it; a match the file leaves as it is is
"unchanged" (also under skip). Counts count records after in-file merging.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth import get_user_model

from contacts import normalize
from crm import visibility
from imports.rows import Refused, RowError

# A file's values are normalised several times over (loading, matching, merging): once each
# is enough (parsing a phone number costs ~60 µs).
normalize_phone = lru_cache(maxsize=100_000)(normalize.normalize_phone)
normalize_email = lru_cache(maxsize=100_000)(normalize.normalize_email)
normalize_text = lru_cache(maxsize=100_000)(normalize.normalize_text)
CHUNK = 2000


@dataclass
class RowOutcome:
    row: int
    status: str  # new, updated, unchanged, skipped, merged, error (contacts: company)
    name: str = ""
    detail: str = ""


@dataclass
class Plan:
    """`records` hold `state`, `existing`, `editable` and `changed()` (contact_plan.Person,
    record_plan.Item)."""

    records: list = field(default_factory=list)
    companies: list = field(default_factory=list)  # company_match.CompanyPlan, new ones too
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def status_of(self, record, on_match: str) -> str:
        if record.existing is None:
            return "new"
        if not record.changed():
            return "unchanged"
        if on_match == "skip" or not record.editable:
            return "skipped"
        return "updated"

    def chosen(self, on_match: str) -> list:
        """The records the import writes."""
        return [r for r in self.records if self.status_of(r, on_match) in ("new", "updated")]

    def new_companies(self, on_match: str) -> list:
        """The companies the import creates besides its records: those a row names for itself
        (a contacts file's company card) or that a written record is linked to."""
        found = {id(c): c for c in self.companies if c.wanted and c.existing is None}
        for record in self.chosen(on_match):
            company = record.state.get("company")
            if getattr(company, "planned", False) and company.existing is None:
                found.setdefault(id(company), company)
        return list(found.values())

    def counts(self, on_match: str) -> dict:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        for record in self.records:
            counts[self.status_of(record, on_match)] += 1
        counts["errors"] = len(self.errors)
        counts["companies_new"] = len(self.new_companies(on_match))
        return counts

    def admit(self, record, new) -> tuple[object, str]:
        """The record a row goes into, and how: "new" (made by `new()`), "match" (the first
        row of an existing record) or "merged" (a further row of a record of this file)."""
        if record is None:
            record = new()
            self.records.append(record)
            return record, "new"
        if record.existing is not None and not record.rows:
            self.records.append(record)
            return record, "match"
        return record, "merged"

    def refuse(self, record, status: str, error: RowError) -> None:
        """A row left out whole: a record it alone brought in leaves the plan."""
        if status in ("new", "match"):
            self.records.remove(record)
        self.error(error)

    def took(self, record, row: int, status: str, name: str, *, same: str = "record") -> None:
        """The outcome of a row taken into `record`; a warning where the record is a match
        the importer may not change."""
        record.rows.append(row)
        record.first_row = record.first_row or row
        if status == "merged":
            detail = f"the same {same} as row {record.first_row}"
            self.outcomes.append(RowOutcome(row, "merged", name, detail))
        else:
            self.outcomes.append(RowOutcome(row, status, name))
        if record.existing is not None and not record.editable and len(record.rows) == 1:
            self.warnings.append(
                f"Row {row}: “{name}” is already in Huddle and you may not change it; skipped."
            )

    def error(self, error: RowError) -> None:
        self.errors.append(error)
        self.outcomes.append(RowOutcome(error.row, "error", "", f"{error.column}: {error.message}"))

    def settle(self, on_match: str, first_rows) -> None:
        """Each matched or new row's final status, once every row is in (a later row of the
        file may change a record an earlier one only matched)."""
        by_row = {row: self.status_of(record, on_match) for row, record in first_rows}
        for outcome in self.outcomes:
            if outcome.status in ("new", "match"):
                outcome.status = by_row.get(outcome.row, outcome.status)


class Owners:
    """The owner of a new record: the row's owner column (a username or an e-mail), if the
    importer may assign records of `model` to them; else the importer. Users are read once,
    when a row first names one."""

    def __init__(self, user, model, noun: str):
        self.user, self.model, self.noun = user, model, noun
        self.users: dict[str, object] | None = None
        self.assignable: set[int] = set()

    def of(self, text: str, column: str):
        if not text:
            return self.user
        if self.users is None:
            self.users = {}
            self.assignable = set(
                visibility.assignable_owners(self.user, self.model).values_list("pk", flat=True)
            )
            for user in get_user_model().objects.filter(is_active=True):
                self.users[user.username.casefold()] = user
                if user.email:
                    self.users.setdefault(user.email.casefold(), user)
        user = self.users.get(text.strip().casefold())
        if user is None:
            raise Refused(column, f"There is no active user “{text}”.")
        if user.pk not in self.assignable:
            raise Refused(column, f"You may not give {self.noun} to {user.username}.")
        return user
