"""Custom fields: what each type means — its form field, its stored JSON value, how it reads,
how it filters — and which fields a model has now.

Values live in the owned record's `custom` JSON under the field's key, so an admin adds a field
without a migration. The stored value is plain JSON chosen to compare and sort in the database:
numbers as numbers, dates as "YYYY-MM-DD", yes/no as true/false, a choice as its value (which a
rename of its label leaves alone), several choices as a list, a user as their id.

The fields are read once and kept for a few seconds; a change made here is seen at once by the
process that made it (CustomField.save calls `forget`), by the others within TTL_SECONDS — the
same rule as the report switches (crm/requirements.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from crm import dates, formatting, phones

TTL_SECONDS = 10.0
FORM_PREFIX = "custom_"
MAX_TEXT = 500
MAX_LONG_TEXT = 10_000
MAX_NUMBER = Decimal("1e15")

_cache: dict[str, object] = {}


def forget() -> None:
    _cache.clear()


def all_fields() -> tuple:
    """Every custom field, archived ones too, in order (one query per TTL_SECONDS)."""
    cached = _cache.get("fields")
    if cached is not None and time.monotonic() - _cache["at"] < TTL_SECONDS:
        return cached
    model = apps.get_model("crm", "CustomField")
    fields = tuple(Spec.of(row) for row in model.objects.order_by("model", "order", "id"))
    _cache.update(fields=fields, at=time.monotonic())
    return fields


def for_kind(kind: str, *, archived: bool = False) -> list[Spec]:
    return [f for f in all_fields() if f.kind == kind and (archived or not f.archived)]


def seen_by(kind: str, user) -> list[Spec]:
    """The live fields of a kind of record that this user's role sees."""
    return [f for f in for_kind(kind) if f.sees(user)]


@dataclass(frozen=True)
class Choice:
    value: str  # what records store: fixed once given
    label: str  # what people read: an admin may rename it


def choices_of(raw) -> tuple[Choice, ...]:
    """A field's `choices` as stored: plain strings (value = label) or {"value", "label"}."""
    out = []
    for item in raw or []:
        if isinstance(item, dict) and str(item.get("value", "")).strip():
            value = str(item["value"]).strip()
            out.append(Choice(value, str(item.get("label") or value).strip()))
        elif isinstance(item, str) and item.strip():
            out.append(Choice(item.strip(), item.strip()))
    return tuple(out)


@dataclass(frozen=True)
class Spec:
    """One custom field as the rest of Huddle reads it (an immutable copy of the row)."""

    id: int
    kind: str  # contact, company, deal, activity (the models' policy_key)
    key: str
    label: str
    type: str
    choices: tuple[Choice, ...]
    required: bool
    help_text: str
    see_roles: tuple[str, ...]
    edit_roles: tuple[str, ...]
    in_list: bool
    filterable: bool
    archived: bool
    needed_by: tuple[str, ...] = ()

    @classmethod
    def of(cls, row) -> Spec:
        return cls(
            id=row.pk,
            kind=row.model,
            key=row.key,
            label=row.label,
            type=row.type,
            choices=choices_of(row.choices),
            required=row.required,
            help_text=row.help_text,
            see_roles=tuple(row.see_roles or ()),
            edit_roles=tuple(row.edit_roles or ()),
            in_list=row.in_list,
            filterable=row.filterable,
            archived=row.archived,
            needed_by=tuple(row.needed_by or ()),
        )

    @property
    def name(self) -> str:
        """Its name in forms, filters and tables: custom_<key>, never a built-in field's."""
        return FORM_PREFIX + self.key

    @property
    def lookup(self) -> str:
        """Its path in a queryset: custom__<key>."""
        return f"custom__{self.key}"

    def sees(self, user) -> bool:
        return not self.see_roles or getattr(user, "role", None) in self.see_roles

    def edits(self, user) -> bool:
        return self.sees(user) and (
            not self.edit_roles or getattr(user, "role", None) in self.edit_roles
        )

    def choice_label(self, value) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)  # a value whose choice was removed still reads as itself

    # ---- forms --------------------------------------------------------------------------------

    def form_field(self, *, required: bool | None = None) -> forms.Field:
        options = {
            "label": self.label,
            "required": self.required if required is None else required,
            "help_text": self.help_text,
        }
        maker = _FORM_FIELDS[self.type]
        field = maker(self, options)
        field.custom_spec = self  # how crm.forms, crm.stale and crm.records tell a custom field
        return field

    def initial(self, stored):
        """A stored value as its form field's initial value."""
        if stored in (None, "", []):
            return None
        if self.type == "yes_no":
            return "true" if stored else "false"
        if self.type == "date":
            return _parse_date(stored)
        return stored

    def to_json(self, cleaned):
        """A form field's cleaned value as stored; None for empty (the key is then dropped)."""
        if cleaned in (None, "", [], ()):
            return None
        if self.type in ("number", "money"):
            number = Decimal(cleaned)
            if self.type == "money":
                number = number.quantize(Decimal("0.01"))
            return int(number) if number == number.to_integral_value() else float(number)
        if self.type == "date":
            return cleaned.isoformat()
        if self.type == "yes_no":
            return cleaned == "true" if isinstance(cleaned, str) else bool(cleaned)
        if self.type == "multiple_choice":
            return list(cleaned)
        if self.type == "user":
            return cleaned.pk if hasattr(cleaned, "pk") else int(cleaned)
        if self.type == "email":
            return cleaned.strip().lower()
        return cleaned

    def check(self, stored) -> None:
        """Raise ValidationError unless `stored` is a valid stored value of this field: every
        write checks the values it writes (crm.records), whatever door it came through."""
        if stored is None:
            return
        field = self.form_field(required=False)
        if self.type == "user":
            if not isinstance(stored, int) or isinstance(stored, bool):
                raise ValidationError(f"{self.label}: a user is stored by id.")
            if not get_user_model().objects.filter(pk=stored).exists():
                raise ValidationError(f"{self.label}: no such user.")
            return
        try:
            value = self.initial(stored)
            if self.type in ("number", "money") and isinstance(stored, bool | str):
                raise ValidationError("not a number")
            if self.type == "yes_no" and not isinstance(stored, bool):
                raise ValidationError("not yes or no")
            if self.type == "multiple_choice" and not isinstance(stored, list):
                raise ValidationError("not a list")
            if self.type == "date" and value is None:
                raise ValidationError("not a date")
            field.clean(value.isoformat() if isinstance(value, date) else value)
        except ValidationError as error:
            raise ValidationError(f"{self.label}: {' '.join(error.messages)}") from None

    # ---- reading ------------------------------------------------------------------------------

    def display(self, stored) -> str:
        """A stored value as people read it (lists, detail pages, exports)."""
        if stored in (None, "", []):
            return ""
        if self.type == "choice":
            return self.choice_label(stored)
        if self.type == "multiple_choice":
            values = stored if isinstance(stored, list) else [stored]
            return ", ".join(self.choice_label(v) for v in values)
        if self.type == "yes_no":
            return "Yes" if stored else "No"
        if self.type == "date":
            parsed = _parse_date(stored)
            return formatting.date(parsed) if parsed else str(stored)
        if self.type == "money":
            return formatting.money(Decimal(str(stored)))
        if self.type == "user":
            return users_by_id().get(stored, "")
        return str(stored)

    def export(self, stored):
        """A stored value for a spreadsheet cell: numbers stay numbers, the rest reads as shown."""
        if self.type in ("number", "money") and isinstance(stored, int | float):
            return stored
        return self.display(stored)


def users_by_id() -> dict[int, str]:
    """Names of the users, for the "user" type (few people: read once per TTL)."""
    cached = _cache.get("users")
    if cached is not None and time.monotonic() - _cache.get("users_at", 0) < TTL_SECONDS:
        return cached
    users = {u.pk: str(u) for u in get_user_model().objects.all()}
    _cache.update(users=users, users_at=time.monotonic())
    return users


def _parse_date(stored) -> date | None:
    if isinstance(stored, date):
        return stored
    try:
        return date.fromisoformat(str(stored))
    except ValueError:
        return None


class _BoundedDecimalField(forms.DecimalField):
    def clean(self, value):
        value = super().clean(value)
        if value is not None and abs(value) >= MAX_NUMBER:
            raise ValidationError("That number is too large.")
        return value

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError("Enter a number.") from None


def _text(spec, options):
    return forms.CharField(max_length=MAX_TEXT, **options)


def _long_text(spec, options):
    return forms.CharField(
        max_length=MAX_LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}), **options
    )


def _number(spec, options):
    return _BoundedDecimalField(max_digits=20, decimal_places=6, **options)


def _money(spec, options):
    return _BoundedDecimalField(max_digits=17, decimal_places=2, **options)


def _date(spec, options):
    return dates.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)


def _yes_no(spec, options):
    return forms.ChoiceField(choices=[("", "—"), ("true", "Yes"), ("false", "No")], **options)


def _choice(spec, options):
    empty = [("", f"Choose {spec.label.lower()}")]
    return forms.ChoiceField(choices=empty + [(c.value, c.label) for c in spec.choices], **options)


def _multiple_choice(spec, options):
    return forms.MultipleChoiceField(
        choices=[(c.value, c.label) for c in spec.choices],
        widget=forms.CheckboxSelectMultiple,
        **options,
    )


def _email(spec, options):
    return forms.EmailField(max_length=254, validators=[EmailValidator()], **options)


def _url(spec, options):
    return forms.URLField(
        assume_scheme="https",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        **options,
    )


class _PhoneField(forms.CharField):
    """A phone number as typed, if it has a number's digits (matched later as E.164 digits)."""

    def clean(self, value):
        value = super().clean(value)
        if value and len(phones.e164_digits(value)) < 5:
            raise ValidationError("Enter a phone number.")
        return value


def _phone(spec, options):
    return _PhoneField(max_length=40, **options)


def _user(spec, options):
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    return forms.ModelChoiceField(queryset=users, empty_label="Choose who", **options)


_FORM_FIELDS = {
    "text": _text,
    "long_text": _long_text,
    "number": _number,
    "money": _money,
    "date": _date,
    "yes_no": _yes_no,
    "choice": _choice,
    "multiple_choice": _multiple_choice,
    "email": _email,
    "url": _url,
    "phone": _phone,
    "user": _user,
}


def validate_values(kind: str, values: dict) -> None:
    """Check every value a write stores for the live fields of `kind`; values of archived fields
    (kept, hidden) and of keys no field has are left as they are."""
    if not isinstance(values, dict):
        raise ValidationError("Custom values must be a mapping of field keys to values.")
    errors = []
    for spec in for_kind(kind):
        if spec.key in values:
            try:
                spec.check(values[spec.key])
            except ValidationError as error:
                errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
