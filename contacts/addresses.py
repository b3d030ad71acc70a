"""A contact's e-mails and phones: the primary ones in `email` / `phone` (what every list, sort,
inline edit, quick add and export reads), the others in the contact's own JSON lists `emails` /
`phones`, each address with a label (work, home, mobile, other).

Everything about a contact's addresses lives on its own row, so its history keeps them and an
import's undo restores them with the row. `ContactHandle` is derived from that row: one line per
normalised address, rewritten with every save that writes an address (`contact_saved`), so the
duplicate check and the import find a contact by any of its addresses in one indexed lookup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models

from contacts.normalize import normalize_email, normalize_phone


class Label(models.TextChoices):
    WORK = "work", "work"
    HOME = "home", "home"
    MOBILE = "mobile", "mobile"
    OTHER = "other", "other"


LABELS = frozenset(Label.values)
MAX_OTHERS = 9  # besides the primary: ten e-mails and ten phones are more than any address book
MAX_LENGTH = {"email": 254, "phone": 40}
KIND_NAMES = {"email": "e-mail", "phone": "phone"}
_PHONE = re.compile(r"^\+?[\d\s()\-./]+$")
MIN_PHONE_DIGITS = 3
MAX_PHONE_DIGITS = 17  # E.164 allows 15, plus a national trunk prefix or two


class Addresses(list):
    """The other e-mails or phones of a contact, as stored: `[{"label": …, "value": …}, …]`.

    A list as JSON sees it; as text it reads as a person does ("home: a@example.com"), which is
    how a stale edit's conflict message and the history show it."""

    def __str__(self) -> str:
        return " · ".join(f"{e.get('label', '')}: {e.get('value', '')}" for e in self)


class AddressesField(models.JSONField):
    """A JSON list of labelled addresses that reads back as `Addresses`."""

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return Addresses(value) if isinstance(value, list) else value

    def to_python(self, value):
        value = super().to_python(value)
        return Addresses(value) if isinstance(value, list) else value


def normalize(kind: str, value: str) -> str:
    return normalize_email(value) if kind == "email" else normalize_phone(value)


def ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def value_error(kind: str, value: str) -> str | None:
    """Why `value` is no e-mail address / phone number, or None when it is one."""
    if len(value) > MAX_LENGTH[kind]:
        return f"is longer than {MAX_LENGTH[kind]} characters"
    if kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            return "is not a valid e-mail address"
        return None
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        return "is not a phone number (digits, spaces, + - ( ) . / only)"
    return None


def entries(value) -> list[dict]:
    """Stored or posted addresses as `{"label", "value"}` dicts, blank ones left out; accepts
    the JSON text a form round-trips too. Nothing is validated here (see `clean_others`)."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return []
    if not isinstance(value, list | tuple):
        return []
    rows = []
    for item in value:
        if not isinstance(item, dict):
            continue
        text = str(item.get("value") or "").strip()
        if text:
            rows.append({"label": str(item.get("label") or ""), "value": text})
    return rows


def clean_others(kind: str, value, *, primary: str = "", first_row: int = 2) -> Addresses:
    """The other addresses of a contact, checked: a known label, a valid address, none twice
    (the primary included), at most MAX_OTHERS. Errors name the row as the form shows it: the
    primary is the 1st, the others follow from `first_row`."""
    rows = entries(value)
    name = KIND_NAMES[kind]
    errors = []
    if len(rows) > MAX_OTHERS:
        errors.append(f"At most {MAX_OTHERS + 1} {name}s per contact.")
    seen = {normalize(kind, primary)} - {""}
    for index, row in enumerate(rows[: MAX_OTHERS + 1], start=first_row):
        where = f"The {ordinal(index)} {name}, “{row['value'][:60]}”,"
        if row["label"] not in LABELS:
            errors.append(f"{where} has no known label (work, home, mobile or other).")
        problem = value_error(kind, row["value"])
        if problem:
            errors.append(f"{where} {problem}.")
            continue
        key = normalize(kind, row["value"])
        if key in seen:
            errors.append(f"{where} is already one of this contact's {name}s.")
        seen.add(key)
    if errors:
        raise ValidationError(errors)
    return Addresses({"label": r["label"], "value": r["value"]} for r in rows)


def check(contact, exclude: Iterable[str] = ()) -> dict[str, list[str]]:
    """A contact's addresses as a whole, for `Contact.clean_fields`, by the field each error
    belongs to. Written lists are cleaned (stored back, stripped) and checked; a primary written
    alone (an inline edit) must not repeat one of the others; there is a primary while there are
    others. Fields in `exclude` (not being written) are not checked for themselves."""
    exclude = set(exclude)
    errors: dict[str, list[str]] = {}
    for kind in ("email", "phone"):
        field, name = f"{kind}s", KIND_NAMES[kind]
        primary = (getattr(contact, kind) or "").strip()
        if field not in exclude:
            try:
                setattr(
                    contact, field, clean_others(kind, getattr(contact, field), primary=primary)
                )
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
                continue
        elif kind not in exclude and primary:
            others = {normalize(kind, row["value"]) for row in entries(getattr(contact, field))}
            if normalize(kind, primary) in others:
                errors.setdefault(kind, []).append(
                    f"“{primary[:60]}” is already one of this contact's other {name}s."
                )
        if entries(getattr(contact, field)) and not primary and not {kind, field} <= exclude:
            errors.setdefault(kind if kind not in exclude else field, []).append(
                f"This contact has other {name}s: one of them must be the primary. "
                f"Remove them first, or choose another primary in the full form."
            )
    return errors


def handles_of(contact) -> set[tuple[str, str]]:
    """(kind, normalised value) of every address of a contact, the primary ones included. The
    primary's normalised copy is read from the row when it has one (parsing a phone costs
    ~60 µs: a search rebuild of 100,000 contacts would feel it)."""
    found = set()
    for kind in ("email", "phone"):
        primary = getattr(contact, kind) or ""
        keys = [getattr(contact, f"{kind}_normalized", "") or normalize(kind, primary)]
        keys += [
            normalize(kind, row["value"]) for row in entries(getattr(contact, f"{kind}s", None))
        ]
        found.update((kind, key[:254]) for key in keys if key)
    return found


WATCHED = frozenset({"email", "phone", "emails", "phones"})


def contact_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """post_save of a contact: its handles follow its addresses, in the save's transaction.
    A save that writes no address (an inline edit of the city) costs nothing here."""
    if raw or (update_fields is not None and not WATCHED & set(update_fields)):
        return
    write_handles(instance, created=created)


def write_handles(contact, *, created: bool = False) -> None:
    from contacts.models import ContactHandle

    if not created:
        ContactHandle.objects.filter(contact_id=contact.pk).delete()
    ContactHandle.objects.bulk_create(
        ContactHandle(contact_id=contact.pk, kind=kind, normalized=value)
        for kind, value in sorted(handles_of(contact))
    )


def add_handles(contacts) -> None:
    """The lookup rows of many contacts at once, as plain values (an import's bulk path, which
    sends no signals); their old rows, if any, are the caller's to delete first."""
    from contacts.models import ContactHandle
    from crm import fast_insert

    fast_insert.insert_values(
        ContactHandle,
        ("contact_id", "kind", "normalized"),
        (
            (contact.pk, kind, value)
            for contact in contacts
            for kind, value in sorted(handles_of(contact))
        ),
    )


def copy_primary_handles(*, first_id: int = 0) -> None:
    """After a bulk load of contacts (ids from `first_id` on) with their normalised columns
    filled: their primary e-mails and phones into the lookup table, in one INSERT … SELECT per
    kind, no row read into Python. Their other addresses are the loader's to add."""
    from contacts.models import Contact, ContactHandle

    q = connection.ops.quote_name
    handles, contacts = q(ContactHandle._meta.db_table), q(Contact._meta.db_table)
    with connection.cursor() as cursor:
        for kind in ("email", "phone"):
            column = q(f"{kind}_normalized")
            cursor.execute(
                f"INSERT INTO {handles} ({q('contact_id')}, {q('kind')}, {q('normalized')}) "
                f"SELECT {q('id')}, %s, {column} FROM {contacts} "
                f"WHERE {column} <> '' AND {q('id')} >= %s",
                [kind, first_id],
            )
