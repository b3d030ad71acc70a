"""An in-place value's button (crm/inline.py `display_html`) is written with f-strings for
speed; it must read exactly as the format_html version it replaced, whatever the text."""

import pytest
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from crm import inline


def the_format_html_version(ctx: dict) -> str:
    shown = (
        ctx["value"]
        if ctx["shown"]
        else format_html('<span class="muted">add {}</span>', ctx["label"])
    )
    return format_html(
        '<span class="inline-field{}" id="{}" hx-get="{}?edit=1" hx-trigger="click" '
        'hx-target="this" hx-select="unset" hx-swap="outerHTML" tabindex="0" role="button" '
        'aria-label="Edit {}">{}</span>',
        " saved" if ctx.get("saved") else "",
        ctx["dom_id"],
        ctx["url"],
        ctx["label"],
        shown,
    )


@pytest.mark.parametrize("saved", [False, True])
@pytest.mark.parametrize(
    ("label", "value", "shown"),
    [
        ("Amount", "€125,000", "125000"),
        ('Rigs & <pumps> "x"', "O'Neil & <Söhne>", "x"),
        (gettext_lazy("expected close"), "5 Mar 2027", "2027-03-05"),
        ("E-mail", mark_safe("<b>already safe</b>"), "b"),
        ("Region <i>", "", ""),  # nothing yet: "add Region"
    ],
)
def test_the_button_reads_as_the_format_html_version(label, value, shown, saved):
    ctx = {
        "label": label,
        "value": value,
        "shown": shown,
        "dom_id": "inline-deals-Deal-7-amount",
        "url": "/inline/deals.Deal/7/amount/?a=1&b=<2>",
        "saved": saved,
    }

    assert inline.display_html(ctx) == the_format_html_version(ctx)
