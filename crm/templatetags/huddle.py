from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from crm import formatting, links, tables, widget_html

register = template.Library()


@register.filter
def undo_url(message) -> str:
    """The restore URL a "deleted" message carries as an `undo:<label>:<pk>` tag, or ""."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith("undo:"):
            _, label, pk = tag.split(":")
            return reverse("restore", args=[label, int(pk)])
    return ""


@register.filter
def undo_move(message) -> dict | None:
    """A stage move's undo, carried as an `undomove:<deal>:<old stage>:<next>:<version>:<stage>`
    tag: the form that moves the deal back (deals:move, named by string — crm imports no app),
    only while it is at the version and stage the move left it in."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith("undomove:"):
            parts = tag.split(":")
            if len(parts) != 6 or not parts[1].isascii() or not parts[1].isdigit():
                continue  # not a tag this version wrote: no undo rather than a broken page
            _, deal, stage, back, version, moved_to = parts
            return {
                "url": reverse("deals:move", args=[int(deal)]),
                "deal": deal,
                "stage": stage,
                "next": "board" if back == "board" else "deal",  # where the undo goes back to
                "version": version,
                "from_stage": moved_to,
            }
    return None


@register.filter
def money(value) -> str:
    """ "€125,000" (crm/formatting.py: one formatter for every page)."""
    return formatting.money(value)


@register.filter
def day(value) -> str:
    """A date with its year: "6 Dec 2026" (a datetime by its local day)."""
    return formatting.date(value)


@register.filter
def moment(value) -> str:
    """A datetime in the organisation's time zone: "6 Dec 2026, 05:11"."""
    return formatting.datetime(value)


@register.filter
def change(old, new) -> str:
    """`{{ old|change:new }}` → "€111,000 → €125,000"."""
    return formatting.change(old, new)


@register.simple_tag(takes_context=True)
def inline(context, record, field: str):
    """A value that edits in place (crm/inline.py), for whoever may change the record."""
    from django.template.loader import render_to_string

    from crm import inline as inline_edit

    return render_to_string(
        "crm/inline_field.html#display",
        inline_edit.context(record, field),
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def custom_values(context, record):
    """The record's custom values the viewer's role sees, as <dt>/<dd> pairs, in the admin's
    order: editable in place where the page lets the viewer change the record (`can_edit`) and
    the role may change the field; empty ones as "—" (or "add …"), so the gaps show."""
    from django.utils.html import format_html_join

    from crm import custom_fields, inline

    user = context["request"].user
    editable = bool(context.get("can_edit"))
    specs = custom_fields.seen_by(getattr(record, "policy_key", ""), user)
    return format_html_join(
        "",
        "<dt>{}</dt><dd>{}</dd>",
        ((s.label, inline.custom_cell(record, s, user, editable=editable)) for s in specs),
    )


@register.simple_tag(takes_context=True)
def detail_facts(context, record, *builtin: str):
    """`{% detail_facts record "amount" "owner" … as facts %}`: the page's built-in facts (by
    name, in the page's own order) and the custom values the viewer sees, in the admin's layout
    order (crm/layouts.py). A built-in fact is shown by the page's partial `fact-<name>`."""
    from crm import layouts

    return layouts.detail_facts(
        record,
        context["request"].user,
        builtin,
        can_edit=bool(context.get("can_edit")),
        page=context.template_name,
    )


@register.simple_tag(name="record_url")
def record_url_tag(name: str, pk) -> str:
    """`{% url name pk %}` for an address whose only argument is a record's id, reversed once
    per name (crm/links.py): a board renders it for each of its cards."""
    return links.record_url(name, pk)


@register.simple_tag
def table_rows(table):
    """The rows of a django-tables2 table as `<tr><td>…`, each cell shown as `{{ cell }}` would;
    the cells come from crm/tables.py's column plans (django-tables2 3.0, pinned)."""
    html = []
    for cells in tables.row_cells(table):
        html.append("<tr>" + "".join(f"<td>{widget_html.shown(c)}</td>" for c in cells) + "</tr>")
    return mark_safe("".join(html))
