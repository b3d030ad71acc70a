from django import template
from django.urls import reverse

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
    """A stage move's undo, carried as an `undomove:<deal>:<old stage>:<next>` tag: the form
    that moves the deal back (deals:move, named by string — crm imports no app)."""
    for tag in (message.extra_tags or "").split():
        if tag.startswith("undomove:"):
            _, deal, stage, back = tag.split(":")
            return {
                "url": reverse("deals:move", args=[int(deal)]),
                "deal": deal,
                "stage": stage,
                "next": back,
            }
    return None


@register.filter
def money(value) -> str:
    try:
        return f"{float(value or 0):,.0f}"
    except (TypeError, ValueError):
        return ""
