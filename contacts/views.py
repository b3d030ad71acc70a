from datetime import timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts import addresses, timeline
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
from crm.records import retry_if_stale
from crm.visibility import (
    can_edit,
    get_editable_or_403,
    get_visible_or_404,
    with_editable_flag,
    with_related_flags,
)

NEXT_STEP_DAYS = 3

# ---- companies ----------------------------------------------------------------------------


def company_records(user):
    """The companies list's records for a user, before its filters (its export's too)."""
    return Company.objects.visible_to(user).select_related("owner")


def _companies(request):
    return company_records(request.user)


def company_list(request):
    companies = _companies(request)
    return render_list(
        request,
        queryset=companies,
        filterset_class=CompanyFilter,
        table_class=CompanyTable,
        template="contacts/company_list.html",
        title="Companies",
        export="companies",
    )


def company_export(request, fmt):
    return export_list(request, "companies", fmt)


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


def contact_records(user):
    """The contacts list's records for a user, before its filters (its exports' too)."""
    contacts = Contact.objects.visible_to(user).select_related("company", "owner")
    return with_related_flags(contacts, user, "company")


def _contacts(request):
    return contact_records(request.user)


def contact_list(request):
    contacts = with_editable_flag(_contacts(request), request.user)
    return render_list(
        request,
        queryset=contacts,
        filterset_class=ContactFilter,
        table_class=ContactTable,
        template="contacts/contact_list.html",
        title="Contacts",
        export="contacts",
    )


def contact_export(request, fmt):
    return export_list(request, "contacts", fmt)


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


def _contact_form_page(request, *, form, title: str, record=None, **kwargs):
    """The contact form; "Add another e-mail / phone" (a POST with `add_row`) shows the posted
    form again with one more row, saving nothing (contacts/forms.py AddressRows)."""
    exclude = f"&exclude={record.pk}" if record else ""
    extra = {"duplicates_url": reverse("contacts:duplicates") + "?kind=contact" + exclude}
    template = "contacts/contact_form.html"
    if request.method == "POST" and request.POST.get("add_row") in ("emails", "phones"):
        form.show_unchecked()
        if request.htmx:
            template = "crm/form_page.html#form"
        context = {"form": form, "title": title, "record": record, **extra}
        return render(request, template, context)
    return form_page(
        request, form=form, template=template, title=title, record=record, extra=extra, **kwargs
    )


def contact_create(request):
    initial = {}
    if (company_id := request.GET.get("company", "")).isdigit():
        initial["company"] = company_id
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    return _contact_form_page(
        request, form=form, title="New contact", success_message="Added {record}."
    )


@retry_if_stale
def contact_edit(request, pk):
    contact = get_editable_or_403(Contact.objects, request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    return _contact_form_page(request, form=form, title=f"Edit {contact}", record=contact)


@retry_if_stale
def contact_delete(request, pk):
    contact = get_editable_or_403(Contact.objects, request.user, pk=pk)
    return delete_page(request, record=contact, list_url=reverse("contacts:list"))


# ---- activities ----------------------------------------------------------------------------


def activity_records(user):
    """The activities list's records for a user, before its filters (its export's too)."""
    activities = Activity.objects.visible_to(user).select_related("owner", "company", "deal")
    return with_related_flags(activities, user, "company", "deal")


def activity_list(request):
    return render_list(
        request,
        queryset=activity_records(request.user),
        filterset_class=ActivityFilter,
        table_class=ActivityTable,
        template="contacts/activity_list.html",
        title="Activities",
        export="activities",
    )


def activity_export(request, fmt):
    return export_list(request, "activities", fmt)


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
            emails=_typed_rows(get, "emails"),
            phones=_typed_rows(get, "phones"),
            exclude_pk=exclude,
        )
    return render(request, "contacts/partials/duplicates.html", {"matches": matches})


def _typed_rows(get, name: str) -> list[str]:
    """The other e-mails or phones typed so far in the contact form (its `<name>-<i>-value`)."""
    return [
        get.get(f"{name}-{i}-value", "")
        for i in range(addresses.MAX_OTHERS + 1)
        if get.get(f"{name}-{i}-value", "").strip()
    ]


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
