"""The widgets written out in Python (crm/widget_html.py) match Django's templates exactly."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from crm.forms import HuddleFormRenderer
from crm.pickers import Picker

TEMPLATES = TemplatesSetting()
FAST = HuddleFormRenderer()

WIDGETS = [
    (forms.TextInput(), "ana"),
    (
        forms.TextInput(
            attrs={"placeholder": 'say "hi" <b>', "autofocus": True, "disabled": False}
        ),
        "x & y",
    ),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(), mark_safe("<b>safe</b>")),
    (forms.NumberInput(attrs={"step": Decimal("0.01"), "min": 0}), Decimal("1234.50")),
    (forms.NumberInput(), 12),
    (forms.EmailInput(), "a@example.com"),
    (forms.URLInput(), "https://example.com/?a=1&b=2"),
    (forms.HiddenInput(), 7),
    (forms.PasswordInput(render_value=False), "secret"),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 12, 6)),
    (forms.DateTimeInput(), datetime.datetime(2026, 12, 6, 9, 30)),
    (forms.TimeInput(), datetime.time(9, 30)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 3}), "line one\n<line two>"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=[("", "---------"), (1, "North"), (2, "South & <East>")]), 2),
    (forms.Select(choices=[("", "Any"), ("a", gettext_lazy("Yes")), ("b", 3)]), None),
    (forms.Select(choices=[]), None),
    (
        forms.Select(
            choices=[("", "—"), ("Sales", [(1, "Lead"), (2, "Won")]), ("Ops", [(3, "Open")])],
            attrs={"required": True, "data-x": "1"},
        ),
        3,
    ),
    (forms.NullBooleanSelect(), True),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
    (Picker(kinds=("company",), choices=[("", "—"), (3, 'Nord & <Gas> "AG"')]), 3),
    (Picker(kinds=("company",), choices=[("", "Any company")]), None),
    (Picker(kinds=("contact", "deal"), choices=[("", "—"), ("deal:4", "Rigs")]), "deal:4"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda v: type(v).__name__)
def test_a_widget_written_out_in_python_matches_django_s_template(widget, value):
    expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=TEMPLATES)
    assert widget.render("field", value, attrs={"id": "id_field"}, renderer=FAST) == expected


def test_a_picker_without_an_id_matches_its_template_too():
    widget = Picker(kinds=("deal",), choices=[("", "—"), (5, "<x>")])
    assert widget.render("deal", 5, renderer=FAST) == widget.render("deal", 5, renderer=TEMPLATES)


def test_other_widgets_still_render_through_their_templates():
    widget = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    html = widget.render("pick", "b", renderer=FAST)
    assert html == widget.render("pick", "b", renderer=TEMPLATES)
    assert 'type="radio"' in html and 'value="b"' in html and "checked" in html
