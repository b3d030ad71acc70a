"""A deals file: its columns, and how a row finds its deal and what it links.

A row matches a visible deal with the same title (trimmed, case-insensitive) and the same
company (a row without a company column matches a deal without a company). The company is
found by name among the visible ones, or created; contacts by e-mail, else full name (an
unknown one is a warning). The pipeline is found by name (blank: the first pipeline), the stage
by name within it (blank: its first open stage; unknown: an error listing the stages).
"""

from __future__ import annotations

from contacts.importing.mapping import CONTACT_ALIASES, Target
from deals.models import Deal, Pipeline, Stage
from imports import references, rows
from imports.plan import normalize_text
from imports.record_plan import Item, RecordPlanner, comparable
from imports.rows import Refused

KIND = "deal"
TYPES = {
    "title": rows.TEXT,
    "company": rows.REF,
    "contacts": rows.REF,
    "pipeline": rows.REF,
    "stage": rows.REF,
    "amount": rows.NUMBER,
    "currency": rows.TEXT,
    "expected_close": rows.DATE,
    "lost_reason": rows.TEXT,
}


def targets(user) -> list[Target]:
    return [
        Target("title", "Title", ("Deal", "Deal name", "Deal title", "Opportunity", "Name")),
        Target("company", "Company", CONTACT_ALIASES["company"]),
        Target("contacts", "Contact (e-mail or name)", ("Contact", "Contacts", "Contact e-mail")),
        Target("pipeline", "Pipeline", ("Sales pipeline",)),
        Target("stage", "Stage", ("Deal stage", "Status", "Phase")),
        Target("amount", "Amount", ("Value", "Deal value", "Volume", "Betrag")),
        Target("currency", "Currency", ("Währung",)),
        Target(
            "expected_close",
            "Expected close date",
            ("Expected close", "Close date", "Closing date", "Expected closing date"),
        ),
        Target("lost_reason", "Lost reason", ("Reason lost", "Loss reason")),
        Target("owner", "Owner (username or e-mail)", CONTACT_ALIASES["owner"]),
        *rows.custom_targets(KIND, user),
    ]


def parse(row, specs):
    found = rows.parse(row, TYPES, specs)
    if isinstance(found, rows.Incoming) and "currency" in found.fields:
        found.fields["currency"] = found.fields["currency"].upper()
    return found


def _company_key(company) -> object:
    """A company (a record, or one this file plans) as a deal's match key."""
    if company is None:
        return None
    if not getattr(company, "planned", False):
        return company.pk
    if company.existing is not None:
        return company.existing.pk
    return ("new", normalize_text(company.name))


class DealPlanner(RecordPlanner):
    model = Deal
    kind = KIND
    noun = "deals"
    FIELDS = (
        "title",
        "company",
        "pipeline",
        "stage",
        "amount",
        "currency",
        "expected_close",
        "lost_reason",
        "custom",
        "contacts",
    )
    RELATIONS = ("company", "pipeline", "stage")
    LINKS = ("contacts",)
    NORMALIZED = ("title_normalized",)
    DERIVED = ("title_normalized", "closed_at")

    def normalize(self, record) -> None:
        record.title_normalized = normalize_text(record.title)

    def prepare(self, record, item, now) -> dict:
        """A won or lost stage closes the deal, an open one reopens it, as a stage move does
        (deals/services.py); the lost reason is left as the file says."""
        self.normalize(record)
        if item is not None and item.before["stage"] == record.stage_id:
            return {}
        before = {} if item is None else {"closed_at": comparable(record.closed_at)}
        record.closed_at = None if record.stage.is_open else now
        return before

    def __init__(self, user, *, on_match: str = "update"):
        super().__init__(user, on_match=on_match)
        self.by_key: dict[tuple, Item] = {}
        self.contacts = references.Contacts(user)
        self.pipelines: list[Pipeline] = []
        self.stages: dict[int, list[Stage]] = {}

    def name(self, item: Item) -> str:
        return item.state["title"]

    def load(self, incoming, *, lock: bool = False) -> None:
        self.pipelines = list(Pipeline.objects.all())
        for stage in Stage.objects.order_by("pipeline", "order", "id"):
            self.stages.setdefault(stage.pipeline_id, []).append(stage)
        company_names = {normalize_text(r.refs.get("company", "")) for r in incoming} - {""}
        self.companies.load(set(), company_names)
        self.contacts.load(
            [text for row in incoming for text in references.names(row.refs.get("contacts", ""))]
        )
        titles = sorted({normalize_text(row.fields.get("title", "")) for row in incoming} - {""})
        if self.on_match == "create" or not titles:
            return
        found = Deal.objects.visible_to(self.user).filter(title_normalized__in=titles)
        for item in self.existing(found, lock=lock):
            self.index(item)

    def index(self, item: Item) -> None:
        key = (normalize_text(item.state["title"]), _company_key(item.state["company"]))
        self.by_key.setdefault(key, item)

    def take(self, row, owner):
        title = row.fields.get("title", "")
        if not title:
            raise Refused(row.column("title", "Title"), "No title: a deal needs one.")
        relations: dict = {}
        company = None
        if row.refs.get("company"):
            company = self.companies.get(row.refs["company"], owner=owner)
            relations["company"] = company.existing or company
        item = self.by_key.get((normalize_text(title), _company_key(company)))
        current = item.state if item is not None else None
        pipeline = current["pipeline"] if current else None
        if row.refs.get("pipeline"):
            pipeline = self._pipeline(row)
            relations["pipeline"] = pipeline
        pipeline = pipeline or (self.pipelines[0] if self.pipelines else None)
        if pipeline is None:
            raise Refused(
                row.column("pipeline", "Pipeline"),
                "There is no pipeline yet: an admin adds one under Settings → Pipelines.",
            )
        stage = self._stage(row, pipeline) if row.refs.get("stage") else None
        if stage is None and (current is None or current["stage"].pipeline_id != pipeline.pk):
            stage = self._first_open(row, pipeline)
        if stage is not None:
            relations["stage"] = stage
        relations["pipeline"] = pipeline
        if row.refs.get("contacts"):
            have = current["contacts"] if current else frozenset()
            relations["contacts"] = references.link_contacts(self, row, have, "deal")
        return item, relations

    def _pipeline(self, row) -> Pipeline:
        wanted = row.refs["pipeline"].strip().casefold()
        for pipeline in self.pipelines:
            if pipeline.name.strip().casefold() == wanted:
                return pipeline
        names = ", ".join(p.name for p in self.pipelines)
        raise Refused(
            row.column("pipeline", "Pipeline"),
            f"There is no pipeline “{row.refs['pipeline']}”; the pipelines are: {names}.",
        )

    def _stage(self, row, pipeline: Pipeline) -> Stage:
        wanted = row.refs["stage"].strip().casefold()
        stages = self.stages.get(pipeline.pk, [])
        for stage in stages:
            if stage.name.strip().casefold() == wanted:
                return stage
        names = ", ".join(s.name for s in stages)
        raise Refused(
            row.column("stage", "Stage"),
            f"“{row.refs['stage']}” is not a stage of {pipeline.name}; its stages are: {names}.",
        )

    def _first_open(self, row, pipeline: Pipeline) -> Stage:
        stage = next((s for s in self.stages.get(pipeline.pk, []) if s.is_open), None)
        if stage is None:
            raise Refused(
                row.column("stage", "Stage"), f"{pipeline.name} has no open stage to start in."
            )
        return stage

    def check(self, record) -> None:
        record.clean()
