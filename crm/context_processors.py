from django.conf import settings

from crm.registry import nav_items


def shell(request):
    """What the base layout needs on every page: the navigation and the organisation currency."""
    return {"nav_items": nav_items, "currency": settings.HUDDLE_CURRENCY}
