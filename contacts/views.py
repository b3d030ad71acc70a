from datetime import timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts import timeline
from contacts.duplicates import company_duplicates, contact_duplicates
from contacts.filters import ActivityFilter, CompanyFilter, ContactFilter
from contacts.forms import (
    ActivityForm,
    CompanyForm,
    ContactForm,
    DoneForm,
    LogActivityForm,
    NextStepForm,
)
from contacts.linked import with_whom
from contacts.models import Activity, Company, Contact
from contacts.services import activity_follow_up, activity_log, activity_set_done
from contacts.tables import ActivityTable, CompanyTable, ContactTable
from crm.converters import is_id
from crm.crud import delete_page, errors_text, export_list, form_page, render_list, safe_next
from crm.fields import ExportField
from crm.formatting import date as as_date
from crm.records import retry_if_stale
from crm.visibility import (
    can_edit,
    get_editable_or_403,
    get_visible_or_404,
    related_label,
    with_editable_flag,
    with_related_flags,
)

NEXT_STEP_DAYS = 3

# ---- companies ----------------------------------------------------------------------------


def _companies(request):
    return Company.objects.visible_to(request.user).select_related("owner")


COMPANY_EXPORT = [
    ExportField("Name", lambda c: c.name),
    ExportField("Domain", lambda c: c.domain),
    ExportField("Phone", lambda c: c.phone),
    ExportField("City", lambda c: c.city),
    ExportField("Owner", lambda c: str(c.owner)),
]


def company_list(request):
    companies = _companies(request)
    return render_list(
        request,
        queryset=companies,
        filterset_class=CompanyFilter,
        table_class=CompanyTable,
        template="contacts/company_list.html",
        title="Companies",
        extra={"export_url": reverse("contacts:company-export", args=["csv"])[: -len(".csv")]},
    )


def company_export(request, fmt):
    return export_list(
        request,
        queryset=_companies(request).order_by("name_normalized", "id"),
        filterset_class=CompanyFilter,
        builtin=COMPANY_EXPORT,
        name="companies",
        fmt=fmt,
    )


def company_detail(request, pk):
    company = get_visible_or_404(Company.objects.select_related("owner"), request.user, pk=pk)
    contacts = (
        Contact.objects.visible_to(request.user)
        .filter(company=company)
        .order_by("name_normalized")[:50]
    )
    deals = company.deals.visible_to(request.user).select_related("stage", "owner")[:50]
    return render(
        request,
        "contacts/company_detail.html",
        {
            "record": company,
            "contacts": contacts,
            "deals": deals,
            "activities": timeline.for_company(company, request.user),
            "log_form": LogActivityForm(user=request.user, auto_id="log_%s"),
            "log_url": reverse("contacts:company-log", args=[company.pk]),
            "can_edit": can_edit(request.user, company),
        },
    )


def company_create(request):
    form = CompanyForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form=form,
        template="contacts/company_form.html",
        title="New company",
        success_message="Added {record}.",
        extra={"duplicates_url": reverse("contacts:duplicates") + "?kind=company"},
    )


@retry_if_stale
def company_edit(request, pk):
    company = get_editable_or_403(Company.objects, request.user, pk=pk)
    form = CompanyForm(request.POST or None, instance=company, user=request.user)
    return form_page(
        request,
        form=form,
        template="contacts/company_form.html",
        title=f"Edit {company}",
        record=company,
        extra={
            "duplicates_url": reverse("contacts:duplicates") + f"?kind=company&exclude={company.pk}"
        },
    )


@retry_if_stale
def company_delete(request, pk):
    company = get_editable_or_403(Company.objects, request.user, pk=pk)
    return delete_page(request, record=company, list_url=reverse("contacts:company-list"))


# ---- contacts ------------------------------------------------------------------------------


def _contacts(request):
    contacts = Contact.objects.visible_to(request.user).select_related("company", "owner")
    return with_related_flags(contacts, request.user, "company")


CONTACT_EXPORT = [
    ExportField("First name", lambda c: c.first_name),
    ExportField("Last name", lambda c: c.last_name),
    ExportField("Company", lambda c: related_label(c, "company", "name")),
    ExportField("Title", lambda c: c.job_title),
    ExportField("E-mail", lambda c: c.email),
    ExportField("Phone", lambda c: c.phone),
    ExportField("City", lambda c: c.city),
    ExportField("Owner", lambda c: str(c.owner)),
    ExportField("Added", lambda c: as_date(c.created_at)),
]


def contact_list(request):
    contacts = with_editable_flag(_contacts(request), request.user)
    return render_list(
        request,
        queryset=contacts,
        filterset_class=ContactFilter,
        table_class=ContactTable,
        template="contacts/contact_list.html",
        title="Contacts",
        extra={"export_url": reverse("contacts:export", args=["csv"])[: -len(".csv")]},
    )


def contact_export(request, fmt):
    return export_list(
        request,
        queryset=_contacts(request).order_by("name_normalized", "id"),
        filterset_class=ContactFilter,
        builtin=CONTACT_EXPORT,
        name="contacts",
        fmt=fmt,
    )


def contact_detail(request, pk):
    contact = get_visible_or_404(
        with_related_flags(
            Contact.objects.select_related("company", "owner"), request.user, "company"
        ),
        request.user,
        pk=pk,
    )
    deals = contact.deals.visible_to(request.user).select_related("stage", "owner")[:50]
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "record": contact,
            "deals": deals,
            "activities": timeline.for_contact(contact, request.user),
            "log_form": LogActivityForm(user=request.user, auto_id="log_%s"),
            "log_url": reverse("contacts:contact-log", args=[contact.pk]),
            "can_edit": can_edit(request.user, contact),
        },
    )


def contact_create(request):
    initial = {}
    if (company_id := request.GET.get("company", "")).isdigit():
        initial["company"] = company_id
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form=form,
        template="contacts/contact_form.html",
        title="New contact",
        success_message="Added {record}.",
        extra={"duplicates_url": reverse("contacts:duplicates") + "?kind=contact"},
    )


@retry_if_stale
def contact_edit(request, pk):
    contact = get_editable_or_403(Contact.objects, request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    return form_page(
        request,
        form=form,
        template="contacts/contact_form.html",
        title=f"Edit {contact}",
        record=contact,
        extra={
            "duplicates_url": reverse("contacts:duplicates") + f"?kind=contact&exclude={contact.pk}"
        },
    )


@retry_if_stale
def contact_delete(request, pk):
    contact = get_editable_or_403(Contact.objects, request.user, pk=pk)
    return delete_page(request, record=contact, list_url=reverse("contacts:list"))


# ---- activities ----------------------------------------------------------------------------


def activity_list(request):
    activities = with_related_flags(
        Activity.objects.visible_to(request.user).select_related("owner", "company", "deal"),
        request.user,
        "company",
        "deal",
    )
    return render_list(
        request,
        queryset=activities,
        filterset_class=ActivityFilter,
        table_class=ActivityTable,
        template="contacts/activity_list.html",
        title="Activities",
    )


def activity_detail(request, pk):
    activity = get_visible_or_404(
        with_related_flags(
            Activity.objects.select_related("owner", "company", "deal"),
            request.user,
            "company",
            "deal",
        ).prefetch_related(Prefetch("contacts", queryset=Contact.objects.visible_to(request.user))),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "contacts/activity_detail.html",
        {
            "record": activity,
            "can_edit": can_edit(request.user, activity),
        },
    )


def activity_create(request):
    initial = {
        k: request.GET[k] for k in ("kind", "company", "deal") if request.GET.get(k, "").isalnum()
    }
    if request.GET.get("contact", "").isdigit():
        initial["contacts"] = [request.GET["contact"]]
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form=form,
        template="contacts/activity_form.html",
        title="New activity",
        m2m_fields=("contacts",),
        success_message="Logged {record}.",
    )


@retry_if_stale
def activity_edit(request, pk):
    activity = get_editable_or_403(Activity.objects, request.user, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, user=request.user)
    return form_page(
        request,
        form=form,
        template="contacts/activity_form.html",
        title=f"Edit {activity}",
        record=activity,
        m2m_fields=("contacts",),
    )


@retry_if_stale
def activity_delete(request, pk):
    activity = get_editable_or_403(Activity.objects, request.user, pk=pk)
    return delete_page(request, record=activity, list_url=reverse("contacts:activity-list"))


@require_POST
@retry_if_stale
def activity_done(request, pk):
    """Mark a task done or open again (the state wanted, with the version seen); HTMX swaps the
    row, a plain post goes back. If it already is so, nothing changes and the user is told."""
    activity = get_editable_or_403(
        with_whom(Activity.objects.select_related("owner", "updated_by"), request.user),
        request.user,
        pk=pk,
    )
    form = DoneForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(errors_text(form))
    wanted, before = form.cleaned_data["done"], activity.version
    activity = activity_set_done(activity=activity, done=wanted, by=request.user)
    activity.is_editable = True  # it came through get_editable_or_403: the row offers Reopen
    changed = activity.version != before
    if not changed:
        state = "done" if wanted else "open"
        messages.info(
            request, f"“{activity}” is already {state} ({activity.updated_by or 'someone'})."
        )
    if request.htmx:
        # A task just done offers its next step in the same place: type it, Enter.
        return render(
            request,
            "contacts/partials/activity_row.html",
            {
                "activity": activity,
                "offer_next": changed and activity.done,
                "next_due": timezone.localdate() + timedelta(days=NEXT_STEP_DAYS),
            },
        )
    return HttpResponseRedirect(safe_next(request, fallback=activity.get_absolute_url()))


def log_activity(request, *, target, link: dict):
    """Log a call, meeting, note… on a record the user may see.

    HTMX: the new entry is put on top of the timeline and the form comes back empty (same kind
    picked) — the timeline is not read again. Invalid: the form comes back with its errors.
    """
    form = LogActivityForm(request.POST, user=request.user, auto_id="log_%s")
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, "Not logged: " + errors_text(form))
            return redirect(target)
        response = render(
            request, "contacts/partials/log_form.html", {"log_form": form, "log_url": request.path}
        )
        response["HX-Retarget"] = "#log-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    activity = activity_log(activity=form.save(commit=False), by=request.user, **link)
    messages.success(request, f"Logged {activity.get_kind_display().lower()}: {activity.subject}")
    if not request.htmx:
        return redirect(target)
    fresh = LogActivityForm(user=request.user, auto_id="log_%s", initial={"kind": activity.kind})
    return render(
        request,
        "contacts/partials/logged.html",
        {
            "activity": activity,
            "log_form": fresh,
            "log_url": request.path,
        },
    )


@require_POST
def contact_log(request, pk):
    contact = get_visible_or_404(Contact.objects.select_related("company"), request.user, pk=pk)
    return log_activity(
        request, target=contact, link={"contacts": [contact], "company": contact.company}
    )


@require_POST
def company_log(request, pk):
    company = get_visible_or_404(Company.objects, request.user, pk=pk)
    return log_activity(request, target=company, link={"company": company})


def duplicates(request):
    """As a contact or company is typed: the existing ones it may duplicate (HTMX fragment)."""
    get = request.GET
    exclude = int(get["exclude"]) if is_id(get.get("exclude", "")) else None
    if get.get("kind") == "company":
        matches = company_duplicates(
            request.user,
            name=get.get("name", ""),
            domain=get.get("domain", ""),
            phone=get.get("phone", ""),
            exclude_pk=exclude,
        )
    else:
        name = f"{get.get('first_name', '')} {get.get('last_name', '')}".strip()
        matches = contact_duplicates(
            request.user,
            name=name,
            email=get.get("email", ""),
            phone=get.get("phone", ""),
            exclude_pk=exclude,
        )
    return render(request, "contacts/partials/duplicates.html", {"matches": matches})


@require_POST
def activity_next(request, pk):
    """The follow-up of a done task: a new task on the same deal, company and people."""
    done = get_editable_or_403(with_whom(Activity.objects, request.user), request.user, pk=pk)
    form = NextStepForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, "Not added: " + errors_text(form))
            return HttpResponseRedirect(safe_next(request, fallback=done.get_absolute_url()))
        return render(
            request,
            "contacts/partials/activity_row.html",
            {
                "activity": done,
                "offer_next": True,
                "next_form": form,
                "next_due": form.data.get("due") or timezone.localdate(),
            },
        )
    task = activity_follow_up(done=done, by=request.user, **form.cleaned_data)
    # The follow-up has the done task's people, company and deal: so has its row (no re-read).
    for name in ("contact_name", "contact_count", "company_visible", "deal_visible"):
        setattr(task, name, getattr(done, name))
    messages.success(request, f"Next step: {task.subject}")
    if not request.htmx:
        return HttpResponseRedirect(safe_next(request, fallback=done.get_absolute_url()))
    return render(request, "contacts/partials/activity_row.html", {"activity": task})
