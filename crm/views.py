from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm import custom_fields, policy_preview, requirements, visibility
from crm import search as global_search
from crm.crud import owned_model_or_404
from crm.models import ReportSwitch, SettingChange, VisibilityPolicy
from crm.records import record_restore
from crm.settings_forms import VisibilityPolicyForm

SEARCH_LIMIT_PER_KIND = 8
HEALTHZ_TIMEOUT_MS = 2000


@login_not_required
def healthz(request):
    """The load balancer's probe: 200 "ok" when the database answers, 503 and a short reason when
    it does not, so a web server whose database is gone is taken out of rotation rather than
    serving error pages. One query, no login, no record; the reason names the kind of error
    only (the probe is public)."""
    try:
        _ping_database()
    except DatabaseError as error:
        return HttpResponse(
            f"database unavailable: {type(error).__name__}", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


def _ping_database() -> None:
    """SELECT 1 within HEALTHZ_TIMEOUT_MS on PostgreSQL: SET LOCAL and the SELECT go as one
    round trip, which PostgreSQL runs as one implicit transaction, so the timeout ends with it.
    Opening a connection is bounded by PGCONNECT_TIMEOUT (README, production). SQLite answers
    from the file."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL statement_timeout = {HEALTHZ_TIMEOUT_MS}; SELECT 1")
            cursor.nextset()
        else:
            cursor.execute("SELECT 1")
        cursor.fetchone()


def search(request):
    """Global search over every registered provider; as-you-type requests get the results only."""
    query = request.GET.get("q", "").strip()[:100]
    groups = global_search.grouped(request.user, query, SEARCH_LIMIT_PER_KIND)
    template = (
        "crm/search.html#results"
        if request.htmx and not request.htmx.boosted
        else "crm/search.html"
    )
    return render(
        request,
        template,
        {
            "title": "Search",
            "query": query,
            "groups": groups,
            "too_short": 0 < len(query) < global_search.MIN_LENGTH,
        },
    )


def settings_page(request):
    """Admin-only organisation settings: what reps may see and edit, which reports are on."""
    if not request.user.is_admin:
        raise PermissionDenied("Only an admin may change the organisation's settings.")
    policy = VisibilityPolicy.objects.filter(pk=1).first() or VisibilityPolicy(pk=1)
    posted = request.POST if request.method == "POST" else None
    before = model_to_dict(policy, fields=VisibilityPolicyForm.Meta.fields)
    form = VisibilityPolicyForm(posted, instance=policy)
    preview = None
    if posted is not None and form.is_valid() and "preview" in posted:
        # What the change would do, in words, before anything is saved.
        preview = policy_preview.preview(form.instance) or ["Nobody's reach would change."]
    elif posted is not None and form.is_valid():
        form.save()
        after = model_to_dict(policy, fields=VisibilityPolicyForm.Meta.fields)
        if after != before:
            SettingChange.objects.create(
                by=request.user,
                area="visibility policy",
                subject="What reps see and edit",
                action="changed",
                before=before,
                after=after,
            )
        messages.success(request, "Visibility policy saved.")
        return redirect("settings")
    return render(
        request,
        "crm/settings.html",
        {
            "form": form,
            "title": "Settings",
            "reports": _report_switches(),
            "preview": preview,
        },
    )


def _report_switches() -> list[dict]:
    off = requirements.disabled_slugs()
    return [
        {
            "info": info,
            "enabled": slug not in off,
            "needs": [
                _needs(label, fields) for label, fields in requirements.requires(slug).items()
            ],
        }
        for slug, info in requirements.reports.items()
    ]


def _needs(label: str, fields) -> str:
    """ "Deal: Expected close date, Amount": the model and fields as the forms name them."""
    model = apps.get_model(label)
    labels = {s.name: s.label for s in custom_fields.for_kind(model.policy_key)}
    names = ", ".join(
        labels.get(f) or str(model._meta.get_field(f).verbose_name).capitalize() for f in fields
    )
    return f"{str(model._meta.verbose_name).capitalize()}: {names}"


@require_POST
def report_switch(request, slug):
    """Turn a report on or off; the forms follow at once (crm/requirements.py)."""
    if not request.user.is_admin:
        raise PermissionDenied("Only an admin may switch reports on or off.")
    if slug not in requirements.reports:
        raise Http404("No such report.")
    enabled = request.POST.get("enabled") == "1"
    was = requirements.is_enabled(slug)
    ReportSwitch.objects.update_or_create(slug=slug, defaults={"enabled": enabled})
    if was != enabled:
        SettingChange.objects.create(
            by=request.user,
            area="report",
            subject=requirements.reports[slug].title,
            action="switched on" if enabled else "switched off",
            before={"enabled": was},
            after={"enabled": enabled},
        )
    requirements.forget_switches()
    title = requirements.reports[slug].title
    messages.success(request, f"{title} is {'on' if enabled else 'off'}.")
    if request.htmx:
        return render(request, "crm/settings.html#reports", {"reports": _report_switches()})
    return redirect("settings")


@require_POST
def restore(request, label, pk):
    """Undo a delete: the record comes back where it was, if this user may still change it."""
    model = owned_model_or_404(label)
    record = visibility.get_editable_or_403(model.all_objects, request.user, pk=pk)
    if record.deleted_at is not None:
        record_restore(record=record, by=request.user)
        messages.success(request, f"Restored “{record}”.")
    return redirect(record)
