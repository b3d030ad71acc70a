"""An activities file: its columns, and how a row finds its activity and what it links.

A row with an ID (the "ID" column: the other system's key) matches the visible imported
activity with that ID; without one, a visible activity of the same kind, subject (trimmed,
case-insensitive) and time whose contacts include the row's first contact (or that has none,
when the row names none). The kind is read by value or label (call, meeting, e-mail, task,
note); a blank kind is a note: a spreadsheet of past dealings that says nothing more is a list
of notes. A date without a time is that day in the organisation time zone (an all-day
activity). Contacts are found by e-mail, else full name; the deal by title; the company by
name (created when no visible one has it). An unknown contact or deal is a warning.
"""

from __future__ import annotations

from collections import defaultdict

from contacts import bulk
from contacts.importing.mapping import CONTACT_ALIASES, Target
from contacts.models import Activity
from imports import references, rows
from imports.plan import CHUNK, normalize_text
from imports.record_plan import Item, RecordPlanner, comparable
from imports.rows import Refused

KIND = "activity"
TYPES = {
    "kind": rows.REF,
    "subject": rows.TEXT,
    "occurs_at": rows.DATETIME,
    "done": rows.BOOL,
    "notes": rows.TEXT,
    "contacts": rows.REF,
    "company": rows.REF,
    "deal": rows.REF,
    "external_id": rows.TEXT,
}
FIELD_OF = {"notes": "body"}
DEFAULT_KIND = Activity.Kind.NOTE


def targets(user) -> list[Target]:
    return [
        Target(
            "kind", "Type (call, meeting, e-mail, task, note)", ("Type", "Kind", "Activity type")
        ),
        Target("subject", "Subject", ("Title", "Summary", "Betreff")),
        Target("occurs_at", "Date and time", ("Date", "When", "Due", "Due date", "Start", "Datum")),
        Target("done", "Done (yes/no)", ("Done", "Completed", "Complete", "Erledigt")),
        Target("notes", "Notes", (*CONTACT_ALIASES["notes"], "Description", "Body", "Details")),
        Target("contacts", "Contacts (e-mail or name)", ("Contact", "Contacts", "With")),
        Target("company", "Company", CONTACT_ALIASES["company"]),
        Target("deal", "Deal (title)", ("Deal", "Deal title", "Opportunity")),
        Target("owner", "Owner (username or e-mail)", CONTACT_ALIASES["owner"]),
        Target("external_id", "ID (from the other system)", ("ID", "Id", "External ID", "Key")),
        *rows.custom_targets(KIND, user),
    ]


def parse(row, specs):
    return rows.parse(row, TYPES, specs, FIELD_OF)


def _kind(row) -> str | None:
    text = row.refs.get("kind", "").strip().casefold()
    if not text:
        return None
    for value, label in Activity.Kind.choices:
        if text in (value, label.casefold(), label.casefold().replace("-", "")):
            return value
    labels = ", ".join(label.lower() for _, label in Activity.Kind.choices)
    raise Refused(row.column("kind", "Type"), f"“{row.refs['kind']}” is not one of {labels}.")


def _has_first(item: Item, first: int | None) -> bool:
    """An activity is the row's when it is linked to the row's first contact, or, for a row
    that names none, when it has none."""
    return first in item.state["contacts"] if first is not None else not item.state["contacts"]


class ActivityPlanner(RecordPlanner):
    model = Activity
    kind = KIND
    noun = "activities"
    FIELDS = (
        "kind",
        "subject",
        "occurs_at",
        "all_day",
        "done",
        "body",
        "company",
        "deal",
        "external_id",
        "custom",
        "contacts",
    )
    RELATIONS = ("company", "deal")
    LINKS = ("contacts",)
    DERIVED = ("done_at", "source")
    SEARCHED = False  # activities have no search entries (crm/search.py registrations)

    def prepare(self, record, item, now) -> dict:
        """New ones are the import's; done_at follows done, as marking one done does
        (contacts/services.py)."""
        if item is None:
            record.source = Activity.Source.IMPORT
            record.done_at = now if record.done else None
            return {}
        if item.before["done"] == record.done:
            return {}
        before = {"done_at": comparable(record.done_at)}
        record.done_at = now if record.done else None
        return before

    def old_key(self, record):
        return bulk.rollup_key(record)

    def written(self, records, old_keys) -> None:
        bulk.refresh_rollups(records, [key for key in old_keys if key is not None])

    def removed(self, record) -> set[str]:
        """An undone import's activity gives its ID up, so the file can be imported again."""
        record.external_id = None
        return {"external_id"}

    def __init__(self, user, *, on_match: str = "update"):
        super().__init__(user, on_match=on_match)
        self.contacts = references.Contacts(user)
        self.deals = references.Deals(user)
        self.by_id: dict[str, Item] = {}
        self.by_what: dict[tuple, list[Item]] = defaultdict(list)
        self.taken: set[str] = set()  # IDs held by activities this user cannot see

    def name(self, item: Item) -> str:
        return item.state["subject"]

    def load(self, incoming, *, lock: bool = False) -> None:
        contact_texts = [
            t for row in incoming for t in references.names(row.refs.get("contacts", ""))
        ]
        self.contacts.load(contact_texts)
        self.deals.load(row.refs["deal"] for row in incoming if row.refs.get("deal"))
        company_names = {normalize_text(r.refs.get("company", "")) for r in incoming} - {""}
        self.companies.load(set(), company_names)
        ids = sorted(
            {row.fields["external_id"] for row in incoming if row.fields.get("external_id")}
        )
        imported = Activity.all_objects.filter(source=Activity.Source.IMPORT)
        for start in range(0, len(ids), CHUNK):
            self.taken |= set(
                imported.filter(external_id__in=ids[start : start + CHUNK]).values_list(
                    "external_id", flat=True
                )
            )
        if self.on_match == "create":
            return
        moments = sorted({row.fields["occurs_at"] for row in incoming if "occurs_at" in row.fields})
        visible = Activity.objects.visible_to(self.user)
        found = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found += self.existing(imported.filter(external_id__in=chunk), lock=lock)
        for start in range(0, len(moments), CHUNK):
            chunk = moments[start : start + CHUNK]
            found += self.existing(visible.filter(occurs_at__in=chunk), lock=lock)
        seen = set()
        for item in found:
            if item.existing.pk not in seen:
                seen.add(item.existing.pk)
                self.taken.discard(item.state["external_id"])
                self.index(item)

    def index(self, item: Item) -> None:
        if item.state["external_id"]:
            self.by_id.setdefault(item.state["external_id"], item)
        key = (item.state["kind"], normalize_text(item.state["subject"]), item.state["occurs_at"])
        if item not in self.by_what[key]:
            self.by_what[key].append(item)

    def take(self, row, owner):
        relations: dict = {}
        kind = _kind(row)
        if kind is not None:
            relations["kind"] = kind
        external_id = row.fields.get("external_id")
        item = None
        if external_id:
            if external_id in self.taken:
                raise Refused(
                    row.column("external_id", "ID"),
                    f"The ID “{external_id}” is held by another import's activity; leave the "
                    "column out or give this row another ID.",
                )
            item = self.by_id.get(external_id)
        elif "occurs_at" in row.fields and row.fields.get("subject"):
            key = (
                kind or DEFAULT_KIND,
                normalize_text(row.fields["subject"]),
                row.fields["occurs_at"],
            )
            texts = references.names(row.refs.get("contacts", ""))
            first = self.contacts.find(texts[0]) if texts else None
            candidates = self.by_what.get(key, ())
            item = next((c for c in candidates if _has_first(c, first)), None)
        if item is None:
            if not row.fields.get("subject"):
                raise Refused(
                    row.column("subject", "Subject"), "No subject: an activity needs one."
                )
            if "occurs_at" not in row.fields:
                raise Refused(row.column("occurs_at", "Date"), "No date: an activity needs one.")
        if row.refs.get("contacts"):
            have = item.state["contacts"] if item is not None else frozenset()
            relations["contacts"] = references.link_contacts(self, row, have, "activity")
        if row.refs.get("company"):
            company = self.companies.get(row.refs["company"], owner=owner)
            relations["company"] = company.existing or company
        if row.refs.get("deal"):
            deal = self.deals.find(row.refs["deal"])
            if deal is None:
                self.plan.warnings.append(
                    f"Row {row.number}: no deal “{row.refs['deal']}” among the deals you can "
                    "see; the activity is imported without it."
                )
            else:
                relations["deal"] = deal
        return item, relations

    def blank(self) -> dict:
        return {**super().blank(), "kind": DEFAULT_KIND}
