from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django_tables2 import RequestConfig

from crm import dates, spreadsheet
from crm.paging import BoundedLazyPaginator
from deals.selectors import start_of_today
from reports import exports, registry
from reports import my_day as sections
from reports.display import section_context
from reports.fixes import fix_rows
from reports.params import ParamsForm
from reports.records import table_for


def my_day(request):
    user = request.user
    return render(
        request,
        "reports/my_day.html",
        {
            "title": "My day",
            "appointments": sections.todays_appointments(user),
            "tasks": sections.due_tasks(user),
            "stalled_deals": sections.deals_without_next_step(user),
            "today": start_of_today(),
        },
    )


# ---- reports ---------------------------------------------------------------------------------


def _report_or_404(request, slug):
    report = registry.get(slug)
    if report is None or not registry.may_open(request.user, report):
        raise Http404("No such report, or it is switched off.")
    return report


def _params(request, report):
    """(form, params); invalid filters render as errors and the report runs on its defaults."""
    form = ParamsForm(request.GET, report=report, user=request.user)
    params = form.params() if form.is_valid() else report.default_params()
    return form, params


def index(request):
    reports = registry.for_user(request.user)
    return render(request, "reports/index.html", {"title": "Reports", "reports": reports})


def detail(request, slug):
    report = _report_or_404(request, slug)
    form, params = _params(request, report)
    context = {"title": report.title, "form": form, **section_context(request, report, params)}
    template = "reports/detail.html"
    if request.htmx and not request.htmx.boosted:
        template = "reports/partials/section.html"
    return render(request, template, context)


def section(request, slug):
    """One report as a dashboard or meeting section, loaded on its own."""
    report = _report_or_404(request, slug)
    _form, params = _params(request, report)
    return render(
        request, "reports/partials/section.html", section_context(request, report, params)
    )


def dashboard(request):
    """Every enabled report the user may open, each section loading lazily within its budget."""
    reports = registry.for_user(request.user)
    return render(request, "reports/dashboard.html", {"title": "Dashboard", "reports": reports})


def _days_in_range(row: str) -> bool:
    """A row key may name a day (the activity report's `owner:week`); one outside the dates
    Huddle takes (crm/dates.py) is no figure of any report. Checked here because the drill's
    queryset is lazy: the database would only fail on it while the table renders."""
    for part in row.split(":"):
        try:
            day = date.fromisoformat(part)
        except ValueError:
            continue
        if not dates.in_range(day):
            return False
    return True


def _drill_rows(request, report, params):
    row, column = request.GET.get("row", ""), request.GET.get("col", "")
    if column and column not in {c.key for c in report.shape(params).columns if c.drill}:
        raise Http404("That figure has no records behind it.")
    if not _days_in_range(row):
        raise Http404("No such figure in this report.")
    try:
        return report.drill(request.user, params, row, column)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Http404("No such figure in this report.") from exc


def drill(request, slug):
    """The records behind one figure, with the report's filters, as a table."""
    report = _report_or_404(request, slug)
    form, params = _params(request, report)
    records = _drill_rows(request, report, params)
    table = table_for(records, request.user)
    RequestConfig(
        request, paginate={"per_page": 25, "paginator_class": BoundedLazyPaginator}
    ).configure(table)
    return render(
        request,
        "reports/drill.html",
        {
            "title": f"{report.title}: records",
            "report": report,
            "table": table,
            "form": form,
            "export_query": request.GET.urlencode(),
        },
    )


def fix_list(request, slug):
    """Just the incomplete records, with just the missing fields, each editable in place."""
    report = _report_or_404(request, slug)
    _form, params = _params(request, report)
    incomplete = report.incomplete(request.user, params)
    if incomplete is None:
        raise Http404("This report needs no fields filled.")
    rows = fix_rows(report, incomplete, request.user)
    completeness = report.completeness(request.user, params)
    return render(
        request,
        "reports/fix_list.html",
        {
            "title": f"Fix list: {report.title}",
            "report": report,
            "rows": rows,
            "completeness": completeness,
            "sentence": completeness.sentence(report.title),
            "back": reverse("reports:detail", args=[report.slug]) + "?" + request.GET.urlencode(),
        },
    )


def export(request, slug, fmt):
    """The report (or, with ?drill=1, the records behind a figure) as CSV or XLSX."""
    if fmt not in exports.FORMATS:
        raise Http404("Export as csv or xlsx.")
    report = _report_or_404(request, slug)
    _form, params = _params(request, report)
    if request.GET.get("drill"):
        headers, rows = exports.record_rows(_drill_rows(request, report, params), request.user)
        name = f"{report.slug}-records"
    else:
        headers, rows = exports.report_rows(report, report.run(request.user, params), params)
        name = report.slug
    return spreadsheet.export(headers, rows, fmt, name).response()
