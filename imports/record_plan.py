"""Planning a file of companies, deals or activities: the part the three kinds share.

A kind says how a row finds its record among the visible ones (`take`), and what it adds to
the record's state (its relations). The rest is the same for all: a new record when nothing
matches; rows of one file that match each other merge; a cell replaces a value, a blank cell
never erases one; the owner column counts for new records only (never changes an owner) and
is refused outside the policy; the record as the row leaves it is validated as every write is,
and a row that fails is left out whole.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch

from crm import custom_fields
from imports.company_match import Companies
from imports.plan import CHUNK, Owners, Plan
from imports.rows import Incoming, Refused, RowError


def comparable(value):
    """A value as the plan compares it and an ImportedRecord keeps it (JSON)."""
    if getattr(value, "planned", False):  # a company planned by this file
        return value.existing.pk if value.existing is not None else ["new", value.name]
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 250.50 in the database is 250.5 in a file
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()  # one instant, whichever zone it was read in
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return dict(value)
    return value


@dataclass(eq=False)  # one record each: compared by identity
class Item:
    """One record after the file: an existing one (visible to the importer) or a new one."""

    state: dict  # the kind's FIELDS -> value; relations as records (or a planned company)
    fields: tuple
    first_row: int = 0
    existing: models.Model | None = None
    editable: bool = True
    before: dict = field(default_factory=dict)
    owner: object = None  # new records only
    rows: list = field(default_factory=list)

    def changed(self) -> list[str]:
        return [name for name in self.fields if comparable(self.state[name]) != self.before[name]]


class RecordPlanner(ABC):
    """Subclasses set `model`, `kind` (the custom fields' and policy's key), `noun` (plural,
    for messages), `FIELDS` (what an import writes and an undo restores) and implement
    `load`, `take`, `index` and `name`; the hooks below add what a kind derives."""

    model: type[models.Model]
    kind: str
    noun: str
    FIELDS: tuple[str, ...]
    RELATIONS: tuple[str, ...] = ()  # FIELDS that are foreign keys
    LINKS: tuple[str, ...] = ()  # FIELDS that are many-to-many (sets of ids)
    # Writing (imports/record_write.py): fields derived from FIELDS by `normalize` (what save()
    # would derive), all derived fields a write sets, and whether records have search entries.
    NORMALIZED: tuple[str, ...] = ()
    DERIVED: tuple[str, ...] = ()
    SEARCHED = True

    def __init__(self, user, *, on_match: str = "update"):
        self.user, self.on_match = user, on_match
        self.plan = Plan()
        self.owners = Owners(user, self.model, self.noun)
        self.companies = Companies(user, self.plan.companies)

    # ---- what a kind provides ---------------------------------------------------------------

    @abstractmethod
    def load(self, rows: list[Incoming], *, lock: bool = False) -> None:
        """The visible records and references the rows could match, in batched queries."""

    @abstractmethod
    def take(self, row: Incoming, owner) -> tuple[Item | None, dict]:
        """The record the row matches (None: a new one) and the row's relations as state
        values; Refused for a row that cannot be taken."""

    @abstractmethod
    def index(self, item: Item) -> None:
        """Make the item findable by later rows of the file."""

    @abstractmethod
    def name(self, item: Item) -> str:
        """What the preview calls the record."""

    def blank(self) -> dict:
        """The state of a new record before its first row: the fields' defaults."""
        values = {}
        for name in self.FIELDS:
            model_field = self.model._meta.get_field(name)
            if name in self.LINKS:
                values[name] = frozenset()
            elif model_field.has_default():
                values[name] = model_field.get_default()
            else:
                values[name] = None if model_field.null or name in self.RELATIONS else ""
        values["custom"] = {}
        return values

    def check(self, record) -> None:
        """Rules beyond the fields' own (Deal.clean); none by default."""
        return None

    # ---- writing hooks (imports/record_write.py) ------------------------------------------

    def normalize(self, record) -> None:
        """Set what save() derives (the bulk path does not call save); nothing by default."""
        return None

    def prepare(self, record, item: Item | None, now) -> dict:
        """Set the derived fields of a record about to be written (`item` None: a new one);
        returns the previous values of those an undo must put back."""
        self.normalize(record)
        return {}

    def old_key(self, record):
        """What `written` needs to know of a record before it changes (a rollup row)."""
        return None

    def written(self, records: list, old_keys: list) -> None:
        """Derived data of other tables, after the records were written (or undone); none by
        default."""
        return None

    def removed(self, record) -> set[str]:
        """Undo of a created record: fields to clear besides deleted_at."""
        return set()

    # ---- loading helpers ----------------------------------------------------------------------

    def existing(self, queryset, *, lock: bool) -> list[Item]:
        """Items for the visible records of `queryset` (chunks of ids), with whether the
        importer may change each; locked while importing."""
        ids = sorted(set(queryset.values_list("pk", flat=True)))
        items = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found = self.model.objects.visible_to(self.user).filter(pk__in=chunk).order_by("pk")
            if self.RELATIONS:
                found = found.select_related(*self.RELATIONS)
            if self.LINKS:
                # Every link, to deleted contacts too: an undo puts back exactly these.
                found = found.prefetch_related(
                    *(
                        Prefetch(
                            name, self.model._meta.get_field(name).related_model.all_objects.all()
                        )
                        for name in self.LINKS
                    )
                )
            if lock:
                found = found.select_for_update(of=("self",))
            editable = set(
                self.model.objects.editable_by(self.user)
                .filter(pk__in=chunk)
                .values_list("pk", flat=True)
            )
            for record in found:
                state = {name: self._value_of(record, name) for name in self.FIELDS}
                items.append(
                    Item(
                        state=state,
                        fields=self.FIELDS,
                        existing=record,
                        editable=record.pk in editable,
                        before={name: comparable(value) for name, value in state.items()},
                    )
                )
        return items

    def _value_of(self, record, name: str):
        if name in self.LINKS:
            return frozenset(item.pk for item in getattr(record, name).all())
        if name == "custom":
            return dict(record.custom or {})
        return getattr(record, name)

    # ---- rows ---------------------------------------------------------------------------------

    def add(self, row: Incoming | RowError) -> None:
        if isinstance(row, RowError):
            self.plan.error(row)
            return
        try:
            owner, refusal = self.owners.of(row.owner, row.column("owner", "Owner")), None
        except Refused as refused:  # counts only for a new record: a match keeps its owner
            owner, refusal = self.user, refused
        try:
            item, relations = self.take(row, owner)
            if refusal is not None and (item is None or item.existing is None):
                raise refusal
        except Refused as refused:
            self.plan.error(RowError(row.number, refused.column, refused.message))
            return
        item, status = self.plan.admit(
            item,
            lambda: Item(self.blank(), self.FIELDS, first_row=row.number, owner=owner),
        )
        previous = {k: dict(v) if isinstance(v, dict) else v for k, v in item.state.items()}
        item.state.update(row.fields)
        item.state.update(relations)
        if row.custom:
            item.state["custom"] = {**item.state["custom"], **row.custom}
        error = self._invalid(item, row)
        if error is not None:
            item.state = previous  # the row is left out whole
            self.plan.refuse(item, status, error)
            return
        self.plan.took(item, row.number, status, self.name(item))
        self.index(item)

    def _invalid(self, item: Item, row: Incoming) -> RowError | None:
        """The record as the row leaves it, checked as every write is (the fields' own rules,
        the model's, the custom fields' types)."""
        if item.existing is not None and not item.changed():
            return None
        record = self.model()
        for name, value in item.state.items():
            if name in self.LINKS:
                continue
            if getattr(value, "planned", False):
                value = value.existing  # a company still to create: nothing to check
            setattr(record, name, value)
        written = set(self.FIELDS) - set(self.RELATIONS) - set(self.LINKS) - {"custom"}
        exclude = [f.name for f in self.model._meta.concrete_fields if f.name not in written]
        try:
            record.clean_fields(exclude=exclude)
            self.check(record)
            custom_fields.validate_values(self.kind, record.custom)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                name, messages = next(iter(error.message_dict.items()))
            else:
                name, messages = "custom", error.messages
            column = row.columns.get(name, name.replace("_", " ").capitalize())
            return RowError(row.number, column, " ".join(messages))
        return None

    def finish(self) -> Plan:
        self.plan.settle(self.on_match, ((item.first_row, item) for item in self.plan.records))
        return self.plan
