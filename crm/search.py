"""Global search: one table of entries (crm.SearchEntry), kept current from every write path.

Apps register, per model, how a record reads in search (`register_document`). Entries follow
saves and deletes through signals — a derived index has to follow every path that writes
(services, the Django admin, test factories), which is what signals are for. Bulk loads call
`rebuild()`.

An entry stores only what its own record says. The name of a related record shown with a hit
(a contact's company) is looked up when searching, for the searcher: another team's company
may be linked to a contact everyone sees, and its name must reach only those who may see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from unicodedata import combining, normalize

from django.db import connection, models
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete, post_save

from crm import fast_insert, phones, visibility
from crm.models import SearchEntry, SearchPrefix

PER_KIND = 8
FTS_TABLE = "crm_searchentry_fts"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PHONE_LIKE = re.compile(r"^[\d\s()+\-./]+$")
_SHORT_WORD = re.compile(r"^[a-z][a-z0-9]{1,2}$")  # what crm_searchprefix holds (PostgreSQL)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str  # the record's own details only: never a related record's name (see `label`)
    terms: str  # normalised words; see words() and phone_suffixes()


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    document: Callable[[models.Model], Document]
    related: Callable[[models.Model], Iterable[QuerySet]] | None
    watch: frozenset[str]
    label: tuple[str, str] | None  # (foreign key, field): the related record a hit names


_registry: dict[str, Registration] = {}


def register_document(
    model, document, *, watch: Iterable[str], related=None, label: tuple[str, str] | None = None
) -> None:
    """`document(record)` says how a record reads in search, from the fields named in `watch`
    (a save that writes none of them leaves the entry alone); `related(record)` gives querysets
    of the other records whose entries quote this one (a company's contacts quote its name).
    `label` names a related record whose name leads a hit's subtitle, e.g. ("company", "name"):
    looked up per search, and shown only to those who may see that record."""
    kind = model.policy_key
    watched = frozenset(watch) | {"owner", "owner_id", "deleted_at"}
    _registry[kind] = Registration(model, document, related, watched, label)
    post_save.connect(_on_save, sender=model, dispatch_uid=f"search-{kind}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"search-delete-{kind}")


def phone_suffixes(digits: str) -> str:
    """Every tail of at least 4 digits, as words: a prefix search then finds any part of a number."""
    return " ".join(digits[i:] for i in range(0, max(len(digits) - 3, 0)))


ENTRY_FIELDS = ("kind", "object_id", "owner_id", "title", "title_sort", "subtitle", "url", "terms")


def _entry_row(kind: str, record) -> tuple | None:
    """The record's search entry as values in the order of ENTRY_FIELDS; None if it has none."""
    if getattr(record, "deleted_at", None) is not None:
        return None
    doc = _registry[kind].document(record)
    return (
        kind,
        record.pk,
        record.owner_id,
        doc.title[:200],
        doc.title.lower()[:200],
        doc.subtitle[:300],
        record.get_absolute_url(),
        fold(doc.terms),
    )


def _entry(kind: str, record) -> SearchEntry | None:
    row = _entry_row(kind, record)
    return None if row is None else SearchEntry(**dict(zip(ENTRY_FIELDS, row, strict=True)))


def refresh(record, *, moved: bool = False) -> None:
    """Write the record's entry. `moved`: this save set the record's related record (the one its
    `label` names), e.g. a contact created in a company or moved to another."""
    kind = record.policy_key
    label = _registry[kind].label
    if label:
        field = record._meta.get_field(label[0])
        if field.is_cached(record):
            # Read the related record again, in this transaction: a copy cached before it began
            # may predate a rename that committed since, which re-indexed this record's old row.
            field.delete_cached_value(record)
        related_id = getattr(record, field.attname)
        if moved and related_id is not None and _locking():
            # A rename of that record running now re-indexes only the records it can see, not
            # this one: wait for it to commit and read the new name (FOR SHARE: saves into the
            # same company do not wait for each other, a rename waits for them).
            field.set_cached_value(record, _read_shared(field.related_model, related_id))
    _write_entry(record)


def _locking() -> bool:
    """Whether reads here can lock rows until the transaction ends (PostgreSQL, in one)."""
    return connection.in_atomic_block and connection.features.has_select_for_update_of


def _read_shared(model, pk):
    table, column = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    sql = f"SELECT * FROM {quote(table)} WHERE {quote(column)} = %s FOR SHARE"
    return next(iter(model._base_manager.raw(sql, [pk])), None)


def _write_entry(record) -> None:
    kind = record.policy_key
    entry = _entry(kind, record)
    if entry is None:
        SearchEntry.objects.filter(kind=kind, object_id=record.pk).delete()
        return
    # One statement, new record or not, and no savepoint (update_or_create takes three).
    SearchEntry.objects.bulk_create(
        [entry],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["owner_id", "title", "title_sort", "subtitle", "url", "terms"],
    )


def _refresh_related(querysets: Iterable[QuerySet]) -> None:
    """Re-index the records that quote a saved one. In a transaction they are read locked: an
    edit of one of them running at the same time commits first and is read here, so the last
    entry written holds both changes (PostgreSQL; SQLite runs one write at a time anyway)."""
    lock = _locking()
    for queryset in querysets:
        for other in queryset.select_for_update(of=("self",)) if lock else queryset:
            _write_entry(other)


def refresh_many(records, *, batch: int = 2000) -> None:
    """The entries of many records of one kind at once (an import, its undo): the bulk write
    paths send no signals, so they call this instead of `refresh` per record."""
    records = list(records)
    if not records:
        return
    kind = records[0].policy_key
    ids = [record.pk for record in records]
    for start in range(0, len(ids), batch):
        SearchEntry.objects.filter(kind=kind, object_id__in=ids[start : start + batch]).delete()
    rows = (row for record in records if (row := _entry_row(kind, record)) is not None)
    fast_insert.insert_values(SearchEntry, ENTRY_FIELDS, rows)


def _on_save(sender, instance, raw=False, **kwargs):
    registration = _registry[instance.policy_key]
    update_fields = kwargs.get("update_fields")
    if raw or (update_fields is not None and not registration.watch & update_fields):
        return

    label = registration.label
    moved = bool(
        label and (kwargs.get("created") or update_fields is None or label[0] in update_fields)
    )
    refresh(instance, moved=moved)
    if registration.related and not kwargs.get("created"):  # a new record has no dependents
        _refresh_related(registration.related(instance))


def _on_delete(sender, instance, **kwargs):
    SearchEntry.objects.filter(kind=instance.policy_key, object_id=instance.pk).delete()


def rebuild(batch: int = 5000) -> int:
    """Recreate every entry from the records (after a bulk load); returns how many there are."""
    SearchEntry.objects.all().delete()
    total = 0
    for kind, registration in _registry.items():
        queryset = registration.model.objects.order_by("pk")
        if hasattr(registration.model, "company"):
            queryset = queryset.select_related("company")
        rows = [_entry_row(kind, record) for record in queryset.iterator(chunk_size=batch)]
        fast_insert.insert_values(SearchEntry, ENTRY_FIELDS, rows)
        total += len(rows)
    return total


def fold(text: str) -> str:
    """Lower case, accents dropped: what entries store and queries look for ("Müller" ->
    "muller"), so both databases match alike (SQLite's FTS5 folds too; PostgreSQL does not)."""
    if text.isascii():
        return text.lower()
    return "".join(c for c in normalize("NFKD", text.lower()) if not combining(c))


def _query_tokens(text: str) -> list[str]:
    folded = fold(text)
    if _PHONE_LIKE.match(folded) and sum(c.isdigit() for c in folded) >= 3:
        # Stored numbers are E.164 digits (crm/phones.py), indexed by every tail: "0171 555…"
        # and "+49 171 555…" look for the start of one, "0101" for its last digits.
        return [phones.query_digits(folded)]
    return _TOKEN.findall(folded)[:6]


class _WordsMatch(models.Func):
    """PostgreSQL: the entry's words (split on anything but letters and digits, as SQLite's FTS5
    tokenizer splits them, so "ana@example.com" is three words) match a tsquery. Written exactly
    as the GIN index of migration crm 0011 is, so the planner uses it."""

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra):
        terms, query = self.get_source_expressions()
        terms_sql, terms_params = compiler.compile(terms)
        query_sql, query_params = compiler.compile(query)
        words = (
            "to_tsvector('simple'::regconfig, "
            f"regexp_replace({terms_sql}, '[^[:alnum:]]+'::text, ' '::text, 'g'::text))"
        )
        return (
            f"{words} @@ to_tsquery('simple'::regconfig, {query_sql})",
            (*terms_params, *query_params),
        )


class _AnyOfArray(models.Func):
    """`pk = ANY(ARRAY(subquery))`: PostgreSQL runs the subquery once and fetches its few rows
    by primary key. As `pk IN (subquery)` it guesses the ranked hits at a thousand or more (it
    cannot see the window's `rank <= 8`) and hashes them against every entry instead."""

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, ids = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        ids_sql, ids_params = compiler.compile(ids)
        return f"{column_sql} = ANY(ARRAY{ids_sql})", (*column_params, *ids_params)


def _among(ids) -> Q:
    if connection.vendor == "postgresql":
        return Q(_AnyOfArray(F("pk"), Subquery(ids)))
    return Q(pk__in=ids)


def _match_condition(tokens: list[str]) -> Q:
    """Every token is the start of some word of the entry: a word-prefix match, served by
    FTS5's prefix index on SQLite and by a GIN index over the words on PostgreSQL (a substring
    LIKE could not use an index for one or two letters, and matched inside words)."""
    if connection.vendor == "sqlite":
        match = " ".join(f'"{t}"*' for t in tokens)
        ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
        return Q(pk__in=ids)
    prefixes = " & ".join(f"{t}:*" for t in tokens)  # tokens are letters and digits only
    return Q(_WordsMatch(F("terms"), Value(prefixes)))


def _prefix_table(tokens: list[str]) -> bool:
    """PostgreSQL: whether the prefix table answers these tokens (one word of two or three
    letters: the first keys typed, which match the most entries). The GIN index answers the
    rest, whose few matches cost little to read (crm.models.SearchPrefix)."""
    return (
        connection.vendor == "postgresql"
        and len(tokens) == 1
        and bool(_SHORT_WORD.match(tokens[0]))
    )


def _matches(tokens: list[str], **conditions) -> tuple[QuerySet, str]:
    """(the rows matching every token, the name of their entry id): search entries, or on
    PostgreSQL for a short word the rows of the prefix table, which carry the kind, owner,
    title and record that search ranks and scopes by."""
    if _prefix_table(tokens):
        return SearchPrefix.objects.filter(prefix=tokens[0], **conditions), "entry_id"
    return SearchEntry.objects.filter(_match_condition(tokens), **conditions), "pk"


def _labels(user) -> Case:
    """Per entry, the name of the related record its kind registered as `label`, if this user
    may see that record; NULL otherwise. A correlated subquery per hit shown (a few dozen)."""
    whens = []
    for kind, registration in _registry.items():
        if registration.label is None:
            continue
        path, field = registration.label
        model = registration.model._meta.get_field(path).related_model
        names = (
            registration.model.objects.filter(pk=OuterRef("object_id"))
            .filter(visibility.related_visible_q(user, path, model))
            .values(f"{path}__{field}")[:1]
        )
        whens.append(When(kind=kind, then=Subquery(names)))
    return Case(*whens, default=Value(None), output_field=models.CharField())


def visible_q(user, kinds: Iterable[str] | None = None) -> Q:
    """The entries of these kinds (default: all) whose records this user may see."""
    scope = Q(pk__in=[])
    for kind in _registry if kinds is None else [k for k in kinds if k in _registry]:
        kind_scope = visibility.scope_q(user, kind)
        scope |= Q(kind=kind) & (kind_scope if kind_scope is not None else Q())
    return scope


def model_of(kind: str):
    """The model registered for a kind of entry ("contact" -> Contact), or None."""
    registration = _registry.get(kind)
    return registration.model if registration else None


def query(
    user, text: str, per_kind: int = PER_KIND, *, kinds: Iterable[str] | None = None, owners=False
) -> dict[str, list[SearchEntry]]:
    """Entries matching every word typed, that this user may see: one SQL query, grouped by kind.

    Each hit's subtitle starts with the name of its related record (a contact's company) when
    the user may see that record. The names are looked up only for the hits kept (the ranked
    entries are an `IN` subquery), not for every entry that matched. `kinds` keeps some kinds
    only (a picker's); `owners` joins each hit's owner (pickers name it) in the same query.
    """
    tokens = _query_tokens(text)
    if not tokens:
        return {}
    matches, entry_id = _matches(tokens)
    ranked = (
        matches.filter(visible_q(user, kinds))
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("kind")], order_by=[F("title_sort"), F(entry_id)]
            )
        )
        .filter(rank__lte=per_kind)
    )
    rows = (
        SearchEntry.objects.filter(_among(ranked.values(entry_id)))
        .annotate(related_label=_labels(user))
        .order_by("kind", "title_sort", "pk")
    )
    if owners:
        rows = rows.select_related("owner")
    grouped: dict[str, list[SearchEntry]] = {}
    for row in rows:
        row.subtitle = " · ".join(x for x in (row.related_label, row.subtitle) if x)
        grouped.setdefault(row.kind, []).append(row)
    return grouped


def matching(kind: str, text: str) -> Q:
    """The records of one kind whose entry matches every word typed: a condition for a list's
    filter box (visibility is applied by the list's own queryset). Their ids are gathered once
    from the search index (on PostgreSQL as an array: as `pk IN (…)` it walked the list in its
    sort order, testing each record's entry, 130 ms for "ann" over 100,000 contacts)."""
    tokens = _query_tokens(text)
    if not tokens:
        return Q(pk__in=[])
    matches, _ = _matches(tokens, kind=kind)
    return _among(matches.values("object_id"))


MIN_LENGTH = 2  # fewer characters match too much to be worth a query
GROUP_NAMES = {"contact": "Contacts", "company": "Companies", "deal": "Deals"}


def grouped(user, text: str, per_kind: int = PER_KIND) -> list[dict]:
    """query() as the search page and the palette show it: named groups of hits."""
    if len(text) < MIN_LENGTH:
        return []
    found = query(user, text, per_kind)
    return [{"name": GROUP_NAMES.get(kind, kind), "hits": hits} for kind, hits in found.items()]
