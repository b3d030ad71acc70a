"""A deal's card on the board, written out in Python.

The board shows up to 30 cards in each of its columns. As a template partial, a card cost about
0.4 ms (some twenty variables, each resolved, localised and escaped by the template engine),
most of a board's time against 5 ms of SQL. Here the same markup is one f-string per card, each
value escaped as the engine would; tests/deals/test_board_cards.py checks what each card says
and offers, for cards that may and may not be changed.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from crm import formatting
from crm.links import record_url
from crm.widget_html import escaped


def card(deal, *, csrf: str, moved: bool = False) -> SafeString:
    """The card of `deal` (read with `is_editable`, `company_visible`, its company and owner);
    `moved`: it has just landed in its column. A card the viewer may not change has no form:
    an editor moves it with a select of the pipeline's stages (`deal.stage_options`, written
    once per column by deals/views.py) and says why it was lost."""
    pk = int(deal.pk)
    title = escaped(deal.title)
    editable = getattr(deal, "is_editable", False)
    company = f"{escaped(deal.company)} · " if getattr(deal, "company_visible", False) else ""
    facts = f"{company}{escaped(formatting.money(deal.amount))} · {escaped(deal.owner)}"
    move = label = ""
    if editable:
        label = f' aria-label="{title}: ← / → moves it to the previous / next stage"'
        url = record_url("deals:move", pk)
        move = (
            f'<form method="post" action="{url}" class="move" hx-post="{url}" '
            f'hx-target="#deal-{pk}" hx-swap="delete">{csrf}'
            '<input type="hidden" name="next" value="board">'
            f'<input type="hidden" name="version" value="{int(deal.version)}">'
            f'<input type="hidden" name="from_stage" value="{int(deal.stage_id)}">'
            f'<select name="stage" aria-label="Move {title} to stage">'
            f"{escaped(getattr(deal, 'stage_options', ''))}</select>"
            '<input type="text" name="lost_reason" placeholder="Lost reason" '
            'aria-label="Lost reason" class="lost-reason">'
            '<button type="submit" class="small">Move</button></form>'
        )
    classes = (
        "card deal-card" + (" just-moved" if moved else "") + ("" if editable else " readonly")
    )
    return mark_safe(
        f'<article class="{classes}" id="deal-{pk}" data-deal="{pk}" '
        f'tabindex="0"{label}><a href="{escaped(deal.get_absolute_url())}">{title}</a>'
        f'<div class="muted">{facts}</div>{move}</article>'
    )
