"""What a file may hold: one registry, so one upload → mapping → preview → confirm → undo flow,
one ImportBatch and one vocabulary of counts serve every kind of record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contacts.importing.mapping import apply
from contacts.importing.table import ImportFileError
from contacts.models import Activity, Company, Contact
from deals.models import Deal
from imports import activity_rows, company_rows, contact_rows, contact_write, deal_rows, rows
from imports.contact_plan import Plan
from imports.record_plan import RecordPlanner
from imports.record_write import write as write_records


@dataclass(frozen=True)
class Kind:
    key: str  # ImportBatch.kind, SavedMapping.kind
    label: str  # "Contacts": the upload page's choice
    noun: str  # "contact"
    plural: str
    targets: Callable  # (user) -> list[Target]
    # The target keys of which a mapping must choose one, and the sentence saying so.
    required: tuple[str, ...]
    required_message: str
    parse: Callable | None = None  # (row, specs) -> Incoming | RowError
    planner: type[RecordPlanner] | None = None

    def check(self, table) -> None:
        """vCards hold people: a file of them is refused for any other kind."""
        if table.kind == "vcard" and self.key != "contact":
            raise ImportFileError(
                f"This is a vCard file: it holds contacts, not {self.plural}. Import it as "
                f"contacts, or upload the {self.plural} as a CSV or Excel file."
            )

    def plan(self, user, table, mapping, *, on_match: str, lock: bool = False) -> Plan:
        if self.planner is None:
            return contact_write.plan(user, table, mapping, on_match=on_match, lock=lock)
        specs = rows.editable_specs(self.planner.kind, user)
        parsed = [self.parse(row, specs) for row in apply(table, mapping)]
        planner = self.planner(user, on_match=on_match)
        planner.load([row for row in parsed if isinstance(row, rows.Incoming)], lock=lock)
        for row in parsed:
            planner.add(row)
        return planner.finish()

    def write(self, plan: Plan, *, user, batch, on_match: str) -> None:
        if self.planner is None:
            contact_write.write(plan, user=user, batch=batch, on_match=on_match)
        else:
            write_records(self.planner(user), plan, user=user, batch=batch, on_match=on_match)


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "contact",
            "Contacts",
            "contact",
            "contacts",
            contact_rows.targets,
            ("first_name", "last_name", "name"),
            "Choose the column that holds the name: first name, last name or full name. "
            "Without a name no row can be imported.",
        ),
        Kind(
            "company",
            "Companies",
            "company",
            "companies",
            company_rows.targets,
            ("company_name",),
            "Choose the column that holds the company's name: without it no row can be imported.",
            company_rows.parse,
            company_rows.CompanyPlanner,
        ),
        Kind(
            "deal",
            "Deals",
            "deal",
            "deals",
            deal_rows.targets,
            ("title",),
            "Choose the column that holds the deal's title: without it no row can be imported.",
            deal_rows.parse,
            deal_rows.DealPlanner,
        ),
        Kind(
            "activity",
            "Activities (calls, meetings, e-mails, tasks, notes)",
            "activity",
            "activities",
            activity_rows.targets,
            ("subject",),
            "Choose the column that holds the subject: without it no row can be imported.",
            activity_rows.parse,
            activity_rows.ActivityPlanner,
        ),
    )
}
# What undo walks through, dependents before what they point to; the planner restores all but
# contacts (whose lookup rows imports/contact_write.py keeps).
MODELS = {
    "contacts.activity": (Activity, activity_rows.ActivityPlanner),
    "deals.deal": (Deal, deal_rows.DealPlanner),
    "contacts.contact": (Contact, None),
    "contacts.company": (Company, company_rows.CompanyPlanner),
}


def get(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"An import holds one of: {', '.join(KINDS)}.") from None
