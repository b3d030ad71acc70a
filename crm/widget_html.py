"""Django's commonest widget templates, written out in Python.

A list page renders a dozen filter widgets and an HTMX editor a handful of inputs; going through
the template engine costs about 0.3 ms per select (an include per option), which was a fifth of a
deals list page. These functions produce byte for byte what Django's own templates
(`django/forms/widgets/input.html`, `select.html`, `select_option.html`, `textarea.html` and
`attrs.html`) and the record picker's (`crm/picker.html`, on every list's filters) produce —
tests/crm/test_widget_html.py compares both for every widget we use — and the form renderer
(crm/forms.py) falls back to the templates for anything else.
"""

from __future__ import annotations

import html

from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString
from django.utils.timezone import template_localtime

_PREFIX = "django/forms/widgets/"
_INPUTS = {
    f"{_PREFIX}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
}
_OPTION = f"{_PREFIX}select_option.html"


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: a string, escaped unless already safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def escaped(text) -> SafeString:
    """Django's `conditional_escape`, without the lazy-string wrapper around its `escape`: a
    list or a board escapes a few thousand values, and the wrapper cost more than escaping."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return SafeString(html.escape(str(text)))


def shown(value) -> str:
    """`{{ value }}`: in local time, localised, then escaped unless safe (as the engine does)."""
    if not isinstance(value, str):
        value = localize(template_localtime(value))
    return escaped(value)


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {shown(name)}" if value is True else f' {shown(name)}="{_formatted(value)}"'
        )
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{shown(option['label'])}</option>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != _OPTION:
                return None  # a custom option template: let the engine render it
            # The included option template ends with a newline, kept by `{% include %}`.
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{shown(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{shown(value) if value else ''}</textarea>"
    )


def _picker(widget: dict) -> str | None:
    """crm/picker.html (crm/pickers.py `Picker`): the type-ahead's input around its select."""
    select = _select(widget)
    if select is None or "picker_url" not in widget:
        return None
    ident = shown(widget["attrs"].get("id", ""))
    return (
        f'<div class="picker" data-picker-url="{shown(widget["picker_url"])}">\n'
        '  <input type="text" class="picker-input" hidden autocomplete="off" spellcheck="false" '
        'role="combobox" aria-autocomplete="list" aria-expanded="false" '
        f'aria-controls="{ident}-options" value="{shown(widget["chosen_label"])}" '
        f'placeholder="{shown(widget["placeholder"])}">\n'
        f"  {select}\n\n"  # the included select.html ends with a newline
        f'  <ul class="picker-options" id="{ident}-options" role="listbox" hidden></ul>\n</div>'
    )


def render(template_name: str, context: dict) -> str | None:
    """The widget's HTML, or None where the template engine should render it."""
    widget = context.get("widget")
    if not isinstance(widget, dict):
        return None
    if template_name in _INPUTS:
        return _input(widget)
    if template_name == f"{_PREFIX}select.html":
        return _select(widget)
    if template_name == f"{_PREFIX}textarea.html":
        return _textarea(widget)
    if template_name == "crm/picker.html":
        return _picker(widget)
    return None
