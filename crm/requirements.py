"""Which fields the enabled reports need: the registry that turns reports into forms.

Reports register what they `require` at start-up (reports/registry.py fills this); forms ask
for those fields first, mark them required and say which report needs each. Turning a report
off (crm.ReportSwitch) changes the forms at once: the switches are re-read after every change
and at most every few seconds otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.apps import apps

from crm import custom_fields

_SWITCH_TTL_SECONDS = 10.0
_switch_cache: dict[str, object] = {}


@dataclass(frozen=True)
class ReportInfo:
    slug: str
    title: str
    question: str
    requires: dict[str, tuple[str, ...]]  # "deals.Deal" -> ("expected_close",)


reports: dict[str, ReportInfo] = {}


def register_report(info: ReportInfo) -> None:
    reports[info.slug] = info


def forget_switches() -> None:
    _switch_cache.clear()


def disabled_slugs() -> frozenset[str]:
    cached = _switch_cache.get("off")
    if cached is not None and time.monotonic() - _switch_cache["at"] < _SWITCH_TTL_SECONDS:
        return cached
    switch = apps.get_model("crm", "ReportSwitch")
    off = frozenset(switch.objects.filter(enabled=False).values_list("slug", flat=True))
    _switch_cache.update(off=off, at=time.monotonic())
    return off


def is_enabled(slug: str) -> bool:
    return slug in reports and slug not in disabled_slugs()


def requires(slug: str) -> dict[str, tuple[str, ...]]:
    """What a report needs filled: its own `requires`, and the custom fields an admin marked as
    needed by it (by their form name, custom_<key>), per model label."""
    info = reports.get(slug)
    needed = {label: tuple(names) for label, names in (info.requires if info else {}).items()}
    labels = _labels_by_kind()
    for spec in custom_fields.all_fields():
        if slug in spec.needed_by and not spec.archived and spec.kind in labels:
            label = labels[spec.kind]
            needed[label] = (*needed.get(label, ()), spec.name)
    return needed


def _labels_by_kind() -> dict[str, str]:
    """ "deal" -> "deals.Deal": the owned models by the kind custom fields are declared for."""
    return {
        model.policy_key: model._meta.label
        for model in apps.get_models()
        if getattr(model, "policy_key", "")
    }


def needed_fields(model_label: str) -> dict[str, list[str]]:
    """field name -> titles of the enabled reports that need it, for one model ("deals.Deal")."""
    off = disabled_slugs()
    needed: dict[str, list[str]] = {}
    for info in reports.values():
        if info.slug in off:
            continue
        for field in requires(info.slug).get(model_label, ()):
            needed.setdefault(field, []).append(info.title)
    return needed
