from django import template
from django.template.defaulttags import CsrfTokenNode

from deals import cards

register = template.Library()


@register.simple_tag(takes_context=True)
def deal_card(context, deal):
    """`{% deal_card deal %}`: the deal's board card (deals/cards.py); `moved` in the context
    marks one that has just been moved."""
    csrf = context.render_context.get("deal_card_csrf")
    if csrf is None:  # `{% csrf_token %}`'s own output, once per page, not per card
        csrf = context.render_context["deal_card_csrf"] = CsrfTokenNode().render(context)
    return cards.card(deal, csrf=csrf, moved=bool(context.get("moved")))
