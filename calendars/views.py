"""The user's Calendars page — uploads and their results, subscriptions with their last sync,
the feed's address — and the feed itself.

Everything here is the signed-in user's own: a subscription or an import of someone else's is
404, whatever their role (calendars are personal; an admin manages people, not their diaries).
Each write works as a plain form (redirect back to the page) and as an HTMX request (the
section it changed, re-rendered in place). The feed is the one view without a login: its
secret address is the key, and regenerating it revokes the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from calendars import feed, services
from calendars.forms import PreferencesForm, SubscriptionForm, UploadForm
from calendars.models import CalendarImport, CalendarSource, FeedToken, new_feed_token

RECENT_UPLOADS = 5
PAGE = "calendars/page.html"


def _feed_token(user) -> FeedToken:
    token, _ = FeedToken.objects.get_or_create(user=user)
    return token


def _context(request, **forms) -> dict:
    user = request.user
    sources = list(CalendarSource.objects.filter(owner=user).order_by("kind", "name", "pk"))
    uploads = next((s for s in sources if s.kind == CalendarSource.Kind.UPLOADS), None)
    imports = list(
        CalendarImport.objects.filter(source__owner=user, source__kind=CalendarSource.Kind.UPLOADS)[
            :RECENT_UPLOADS
        ]
    )
    subscriptions = [s for s in sources if s.kind == CalendarSource.Kind.SUBSCRIPTION]
    latest = _latest_imports(subscriptions)
    for subscription in subscriptions:
        subscription.latest_import = latest.get(subscription.pk)
    context = {
        "title": "Calendars",
        "imports": imports,
        "subscriptions": subscriptions,
        "feed_url": _feed_url(request),
        "window_back": settings.HUDDLE_CALENDAR_DAYS_BACK,
        "window_ahead": settings.HUDDLE_CALENDAR_DAYS_AHEAD,
        "upload_form": forms.get("upload_form") or UploadForm(),
        "subscription_form": forms.get("subscription_form") or SubscriptionForm(user=user),
        "preferences_form": forms.get("preferences_form")
        or PreferencesForm(
            initial={
                "time_zone": user.time_zone,
                "private_details": bool(uploads and uploads.private_details),
            }
        ),
    }
    return context


def _latest_imports(subscriptions) -> dict[int, CalendarImport]:
    """The last import of each subscription (its unknown attendees), in one query."""
    latest = {}
    rows = CalendarImport.objects.filter(source__in=subscriptions, ok=True).order_by(
        "source_id", "-at", "-id"
    )
    for row in rows:
        latest.setdefault(row.source_id, row)
    return latest


def _feed_url(request) -> str:
    return request.build_absolute_uri(_feed_token(request.user).get_absolute_url())


def _section(request, name: str, **forms):
    """The page, or (HTMX) the one section a write changed."""
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{PAGE}#{name}", _context(request, **forms))
    return render(request, PAGE, _context(request, **forms))


def calendars_page(request):
    return render(request, PAGE, _context(request))


def _done(request, name: str):
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{PAGE}#{name}", _context(request))
    return redirect("calendars:page")


@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _section(request, "uploads", upload_form=form)
    file = form.cleaned_data["file"]
    result = services.import_upload(user=request.user, data=file.read(), name=file.name)
    if result.ok:
        messages.success(request, f"{file.name}: {services.summary(result)}.")
    else:
        messages.error(request, f"{file.name}: nothing imported. {' '.join(result.errors)}")
    return _done(request, "uploads")


@require_POST
def subscribe(request):
    form = SubscriptionForm(request.POST, user=request.user)
    if not form.is_valid():
        return _section(request, "subscriptions", subscription_form=form)
    source = form.save()
    result = services.sync(source)
    _say(request, source, result)
    return _done(request, "subscriptions")


def _own_subscription(request, pk) -> CalendarSource:
    return get_object_or_404(
        CalendarSource, pk=pk, owner=request.user, kind=CalendarSource.Kind.SUBSCRIPTION
    )


def _say(request, source, result) -> None:
    if result.ok:
        messages.success(request, f"{source}: {services.summary(result)}.")
    else:
        messages.error(request, f"{source}: nothing changed. {' '.join(result.errors)}")


@require_POST
def sync_now(request, pk):
    source = _own_subscription(request, pk)
    result = services.sync(source)
    _say(request, source, result)
    return _done(request, "subscriptions")


@require_POST
def unsubscribe(request, pk):
    """Stop syncing; the meetings it brought stay (a calendar's meetings are never deleted)."""
    source = _own_subscription(request, pk)
    name = str(source)
    source.delete()
    messages.success(request, f"Unsubscribed from {name}; its meetings stay in Huddle.")
    return _done(request, "subscriptions")


@require_POST
def preferences(request):
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _section(request, "preferences", preferences_form=form)
    user = request.user
    user.time_zone = form.cleaned_data["time_zone"]
    user.save(update_fields=["time_zone"])
    uploads = services.uploads_source(user)
    uploads.private_details = form.cleaned_data["private_details"]
    uploads.save(update_fields=["private_details"])
    messages.success(request, "Saved.")
    return _done(request, "preferences")


@require_POST
def regenerate_feed(request):
    """A new secret address: every copy of the old one stops working at once."""
    FeedToken.objects.update_or_create(user=request.user, defaults={"token": new_feed_token()})
    messages.success(request, "New feed address. The old one no longer works.")
    return _done(request, "feed")


@require_POST
def create_contact(request, pk):
    record = get_object_or_404(CalendarImport, pk=pk, source__owner=request.user)
    email = request.POST.get("email", "")
    try:
        made = services.contact_from_attendee(user=request.user, record=record, email=email)
    except ValueError as error:
        raise Http404(str(error)) from error
    (messages.success if made.contact else messages.warning)(request, made.message)
    if request.htmx and not request.htmx.boosted:
        entry = record.names.get(email.strip().lower(), {})
        return render(
            request,
            "calendars/unknown.html#unknown",
            {"record": record, "email": email.strip().lower(), "entry": entry, "made": made},
        )
    return redirect("calendars:page")


@login_not_required
@require_safe
def feed_view(request, token):
    """The feed at its secret address (no login: calendar apps cannot log in)."""
    found = FeedToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404("No such feed.")
    body = feed.render(found.user, request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="huddle.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
