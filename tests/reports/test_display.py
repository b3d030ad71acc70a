"""A report section's table body is written in Python (reports/display.py `rows_html`); it must
read exactly as the template that wrote it before, and its drill links must be the same
addresses, built once per table instead of once per cell."""

from datetime import date
from urllib.parse import urlencode

from django.template import Context, Template
from django.urls import reverse

from reports.base import Params, Result
from reports.builtin.deal_flow import ChangesReport
from reports.display import Cell, rows_html, table_rows

# The section template's row markup before rows_html replaced it (templates/reports/partials/
# section.html), one row after another.
TEMPLATE_ROWS = Template(
    '{% for row in rows %}<tr>{% for cell in row %}<td{% if cell.numeric %} class="num"{% endif %}>'
    '{% if cell.url %}<a href="{{ cell.url }}">{{ cell.text }}</a>{% else %}{{ cell.text }}{% endif %}'
    "</td>{% endfor %}</tr>{% endfor %}"
)

HOSTILE = '<script>alert("x")</script> & "Smith" <b>'


def test_rows_html_reads_as_the_template_did():
    rows = [
        [
            Cell("2026-11-02 09:15"),
            Cell(HOSTILE),
            Cell("Won", "/reports/changes/drill/?row=won&col=what"),
        ],
        [Cell("1,200.00 €", numeric=True), Cell(""), Cell("12", "/r/?a=1&b=<2>", numeric=True)],
        [],
    ]
    expected = TEMPLATE_ROWS.render(Context({"rows": rows}))
    assert str(rows_html(rows)) == expected
    assert "<script>" not in expected and "&lt;script&gt;" in expected
    assert 'href="/r/?a=1&amp;b=&lt;2&gt;"' in expected
    assert rows_html([]) == ""


def test_drill_links_are_the_addresses_each_cell_built_before():
    report = ChangesReport()
    params = Params(since=date(2026, 10, 26))
    result = Result(
        rows=[
            {"when": "2026-11-02 09:15", "deal": "Rollout", "kind": "won", "what": "Won"},
            {"when": "2026-11-01 17:00", "deal": "Pilot & co", "kind": "amount", "what": "Amount"},
        ],
        totals={},
    )
    cells = table_rows(report, params, result)

    def before(row: str) -> str:  # as _drill_url wrote it for each cell
        query = {**params.as_query(), "row": row, "col": "what"}
        return reverse("reports:drill", args=["changes"]) + "?" + urlencode(query)

    assert [row[2].url for row in cells] == [before("won"), before("amount")]
    assert [row[2].text for row in cells] == ["Won", "Amount"]
    assert all(cell.url == "" for row in cells for cell in row[:2] + row[3:])


def test_drill_links_without_filters_start_at_the_row():
    report = ChangesReport()
    params = Params()
    assert params.as_query() == {}
    cells = table_rows(report, params, Result(rows=[{"kind": "new", "what": "New"}], totals={}))
    assert cells[0][2].url == reverse("reports:drill", args=["changes"]) + "?row=new&col=what"
