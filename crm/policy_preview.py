"""What a change of the visibility policy would do, in plain words, before it is saved:
"Ana will see 1,204 contacts instead of 311; Carla will edit 40 deals instead of 12."

The scopes are those of crm/visibility.py (`level`, read with the proposed policy); the counts
come from one GROUP BY owner per kind of record, so the preview costs five queries however many
people and records there are.
"""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count

from crm import visibility

KINDS = {  # policy key -> (model label, plural)
    "company": ("contacts.Company", "companies"),
    "contact": ("contacts.Contact", "contacts"),
    "deal": ("deals.Deal", "deals"),
    "activity": ("contacts.Activity", "activities"),
}
SINGULAR = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "activities": "activity",
}
ACTIONS = {"see": "see", "edit": "edit"}


def _records_per_owner() -> dict[str, Counter]:
    counts = {}
    for kind, (label, _plural) in KINDS.items():
        rows = apps.get_model(label).objects.values_list("owner_id").annotate(n=Count("id"))
        counts[kind] = Counter(dict(rows))
    return counts


def _owners(user, scope: str, people: list) -> set[int] | None:
    """The owners in a user's scope at a level, as crm.visibility._owners decides (None: all)."""
    if scope == "everyone":
        return None
    if scope == "team" and user.team_id:
        owners = {p.pk for p in people if p.team_id == user.team_id}
    else:
        owners = {user.pk}
    if user.role == "manager":
        managed = {t.pk for t in user.managed_teams.all()}
        owners |= {p.pk for p in people if p.team_id in managed}
    return owners


def _total(counter: Counter, owners: set[int] | None) -> int:
    return sum(counter.values()) if owners is None else sum(counter[o] for o in owners)


def preview(proposed) -> list[str]:
    """One sentence per person whose reach changes (admins see everything either way)."""
    current = visibility.current_policy()
    people = list(
        get_user_model()
        .objects.filter(is_active=True)
        .prefetch_related("managed_teams")
        .order_by("first_name", "username")
    )
    counts = _records_per_owner()
    sentences = []
    for person in people:
        if person.role == "admin" or person.is_superuser:
            continue
        changes = []
        for action in ACTIONS:
            for kind, (_label, plural) in KINDS.items():
                before = _total(
                    counts[kind],
                    _owners(person, visibility.level(person, kind, action, current), people),
                )
                after = _total(
                    counts[kind],
                    _owners(person, visibility.level(person, kind, action, proposed), people),
                )
                if before != after:
                    noun = SINGULAR[plural] if after == 1 else plural
                    changes.append(f"{action} {after:,} {noun} instead of {before:,}")
        if changes:
            name = person.get_full_name() or person.username
            sentences.append(f"{name} will {'; '.join(changes)}.")
    return sentences
