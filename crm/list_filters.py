"""Pieces every list's django-filter FilterSet shares."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from crm.visibility import visible_owners


def owner_choices(model):
    """The owner filter's choices (a callable django-filter gives the request): the people
    whose records of this kind the viewer may see — never every user, which would list other
    teams' people."""

    def owners(request):
        if request is None:
            return get_user_model().objects.none()
        return visible_owners(request.user, model)

    return owners
