"""Quick add (`quick-add`, `quick-add-form`) and the command palette (`palette`)."""

from datetime import date

import pytest
from django.urls import reverse

from contacts.models import Activity, Company, Contact
from crm import registry, visibility
from crm.models import ReportSwitch
from deals.models import Deal
from tests.factories import CompanyFactory, ContactFactory, DealFactory, StageFactory

HX = {"HX-Request": "true"}


def add(client, key, data, *, htmx=True):
    return client.post(reverse("quick-add-form", args=[key]), data, headers=HX if htmx else {})


@pytest.fixture
def stage(db):
    return StageFactory(name="Lead", order=0, probability=10)


# ---- the registry ---------------------------------------------------------------------------


def test_the_apps_register_every_kind_the_contact_first():
    keys = [item.key for item in registry.quick_add_items()]

    assert keys[0] == "contact"
    assert set(keys) == {"contact", "company", "deal", "task", "call", "meeting", "note"}
    assert registry.quick_adds["call"].action == "Log a call"
    assert registry.quick_adds["deal"].action == "New deal"


# ---- the dialog -----------------------------------------------------------------------------


def test_the_dialog_opens_on_the_contact_form_with_a_tab_per_kind(client_for):
    response = client_for("ana").get(reverse("quick-add"), headers=HX)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="quick-add"' in body and "<html" not in body and 'class="topbar"' not in body
    for item in registry.quick_add_items():
        assert f'hx-get="{reverse("quick-add-form", args=[item.key])}"' in body
    assert f'action="{reverse("quick-add-form", args=["contact"])}"' in body
    assert 'name="first_name"' in body and 'name="last_name"' in body
    assert body.index('name="first_name"') < body.index('name="last_name"')
    assert '<input type="text" name="first_name" maxlength="80" autofocus' in body


def test_the_contact_form_asks_only_what_is_up_front(client_for):
    body = client_for("ana").get(reverse("quick-add-form", args=["contact"]), headers=HX)
    body = body.content.decode()

    for asked in ("first_name", "last_name", "company", "email", "phone"):
        assert f'name="{asked}"' in body
    for more in ("job_title", "city", "notes", "owner"):
        assert f'name="{more}"' not in body
    assert "More</summary>" not in body


def test_a_call_asks_only_its_subject_and_a_task_when_it_is_due(client_for):
    client = client_for("ana")

    call = client.get(reverse("quick-add-form", args=["call"]), headers=HX).content.decode()
    task = client.get(reverse("quick-add-form", args=["task"]), headers=HX).content.decode()

    assert 'name="subject"' in call and 'name="occurs_at"' not in call and 'name="kind"' not in call
    assert 'name="subject"' in task and 'name="occurs_at"' in task and ">Due:</label>" in task
    assert 'name="body"' not in task and 'name="owner"' not in task


def test_the_company_picker_offers_the_users_own_recent_companies_only(client_for, org):
    CompanyFactory(name="Ana's Own GmbH", owner=org["ana"])
    CompanyFactory(name="Ben's Own GmbH", owner=org["ben"])  # visible to ana, not hers

    body = client_for("ana").get(reverse("quick-add-form", args=["contact"]), headers=HX)

    assert "Ana&#x27;s Own GmbH" in body.content.decode()
    assert "Ben&#x27;s Own GmbH" not in body.content.decode()


def test_an_unknown_kind_is_404(client_for):
    response = client_for("ana").get(reverse("quick-add-form", args=["spaceship"]))

    assert response.status_code == 404


# ---- adding each kind -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "data", "model", "expected"),
    [
        (
            "contact",
            {"first_name": "Nova", "last_name": "Lindqvist"},
            Contact,
            {"first_name": "Nova", "last_name": "Lindqvist", "company": None},
        ),
        ("company", {"name": "Fjord AB"}, Company, {"name": "Fjord AB"}),
        (
            "call",
            {"subject": "Asked about pricing"},
            Activity,
            {"kind": "call", "subject": "Asked about pricing", "done": True},
        ),
        (
            "note",
            {"subject": "Prefers e-mail"},
            Activity,
            {"kind": "note", "subject": "Prefers e-mail", "done": True},
        ),
        (
            "task",
            {"subject": "Send the offer", "occurs_at": "2030-01-07T10:00"},
            Activity,
            {"kind": "task", "subject": "Send the offer", "done": False, "done_at": None},
        ),
        (
            "meeting",
            {"subject": "Demo", "occurs_at": "2030-01-08T14:00"},
            Activity,
            {"kind": "meeting", "subject": "Demo", "done": False},
        ),
    ],
)
def test_each_kind_adds_its_record_owned_by_whoever_adds_it(
    client_for, org, key, data, model, expected
):
    response = add(client_for("ana"), key, data)

    record = model.objects.get()
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "recordAdded"
    assert (record.owner, record.created_by) == (org["ana"], org["ana"])
    assert {name: getattr(record, name) for name in expected} == expected
    body = response.content.decode()
    assert f'<a href="{record.get_absolute_url()}">open it</a>' in body
    assert "Added " in body and str(record) in body
    assert "<html" not in body


def test_a_logged_call_is_done_now_and_a_task_is_due_when_asked(client_for):
    client = client_for("ana")

    add(client, "call", {"subject": "Quick call"})
    add(client, "task", {"subject": "Call back", "occurs_at": "2030-01-07T10:00"})

    call = Activity.objects.get(kind="call")
    task = Activity.objects.get(kind="task")
    assert call.done_at is not None and call.occurs_at == call.done_at
    assert task.occurs_at.date() == date(2030, 1, 7) and task.done_at is None


def test_a_deal_is_added_in_the_first_stage_with_its_close_date(client_for, org, stage):
    response = add(
        client_for("ana"),
        "deal",
        {
            "title": "Fjord rollout",
            "pipeline": stage.pipeline_id,
            "stage": stage.pk,
            "amount": "1200",
            "expected_close": "2030-03-01",
        },
    )

    deal = Deal.objects.get()
    assert response.headers["HX-Trigger"] == "recordAdded"
    assert (deal.title, deal.owner, deal.stage, deal.expected_close) == (
        "Fjord rollout",
        org["ana"],
        stage,
        date(2030, 3, 1),
    )


def test_after_adding_the_dialog_offers_to_add_another_of_the_same_kind(client_for):
    response = add(client_for("ana"), "contact", {"first_name": "Nova", "last_name": "Lindqvist"})

    body = response.content.decode()
    another = reverse("quick-add-form", args=["contact"])
    assert f'hx-get="{another}"' in body and "Add another contact</a>" in body
    assert "autofocus>Add another contact" in body
    assert 'name="last_name"' not in body  # no form: rendering one would cost its queries again


def test_the_deal_form_starts_in_the_first_pipeline_and_stage(client_for, stage):
    StageFactory(pipeline=stage.pipeline, name="Qualified", order=1)

    body = client_for("ana").get(reverse("quick-add-form", args=["deal"]), headers=HX)

    body = body.content.decode()
    assert f'<option value="{stage.pipeline_id}" selected>' in body
    assert f'<option value="{stage.pk}" selected>' in body


def test_a_preset_kind_cannot_be_posted_over(client_for):
    add(client_for("ana"), "call", {"subject": "Really a call", "kind": "meeting"})

    assert Activity.objects.get(subject="Really a call").kind == "call"


# ---- what the enabled reports need ----------------------------------------------------------


def _deal_without_close(stage):
    return {"title": "No date", "pipeline": stage.pipeline_id, "stage": stage.pk, "amount": "5"}


def test_a_deal_needs_its_close_date_while_the_forecast_report_is_on(client_for, stage):
    client = client_for("ana")

    form = client.get(reverse("quick-add-form", args=["deal"]), headers=HX).content.decode()
    response = add(client, "deal", _deal_without_close(stage))

    assert 'name="expected_close"' in form and "Needed by: Forecast" in form
    body = response.content.decode()
    assert response.status_code == 200
    assert "HX-Trigger" not in response.headers
    assert not Deal.objects.exists()
    # The error is at the field, in the dialog.
    field = body[
        body.index('name="expected_close"') - 600 : body.index('name="expected_close"') + 600
    ]
    assert "has-error" in field and "This field is required." in field


def test_with_the_forecast_off_a_deal_is_added_without_a_close_date(client_for, stage):
    ReportSwitch.objects.create(slug="forecast", enabled=False)
    client = client_for("ana")

    form = client.get(reverse("quick-add-form", args=["deal"]), headers=HX).content.decode()
    response = add(client, "deal", _deal_without_close(stage))

    assert 'name="expected_close"' not in form
    assert response.headers["HX-Trigger"] == "recordAdded"
    assert Deal.objects.get().expected_close is None


def test_a_contact_without_a_last_name_is_refused_at_the_field(client_for):
    response = add(client_for("ana"), "contact", {"first_name": "Nova"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "HX-Trigger" not in response.headers
    assert 'value="Nova"' in body and "has-error" in body
    assert not Contact.objects.exists()


def test_a_rule_on_a_field_the_short_form_does_not_ask_is_said_above_it(client_for, stage):
    lost = StageFactory(pipeline=stage.pipeline, name="Lost", order=9, is_lost=True)

    response = add(
        client_for("ana"),
        "deal",
        {**_deal_without_close(lost), "expected_close": "2030-01-31"},
    )

    assert response.status_code == 200
    assert "Lost reason: Say why the deal was lost." in response.content.decode()
    assert not Deal.objects.exists()


# ---- visibility -----------------------------------------------------------------------------


def test_a_forged_company_of_another_team_is_refused_and_not_shown(client_for, north_records):
    response = add(
        client_for("carla"),
        "contact",
        {"last_name": "Forged", "company": north_records["company"].pk},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in body
    assert "Nordwind" not in body
    assert not Contact.objects.filter(last_name="Forged").exists()


def test_a_company_the_user_may_see_can_be_linked_and_stays_chosen_on_error(
    client_for, north_records
):
    company = north_records["company"]

    refused = add(client_for("ben"), "contact", {"first_name": "X", "company": company.pk})
    added = add(client_for("ben"), "contact", {"last_name": "Linked", "company": company.pk})

    assert (
        f'<option value="{company.pk}" selected>Nordwind GmbH</option>' in refused.content.decode()
    )
    assert added.headers["HX-Trigger"] == "recordAdded"
    assert Contact.objects.get(last_name="Linked").company == company


# ---- without JavaScript ---------------------------------------------------------------------


def test_without_javascript_add_is_a_page_of_every_plain_form(client_for):
    response = client_for("ana").get(reverse("quick-add"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in body
    for item in registry.quick_add_items():
        action = reverse("quick-add-form", args=[item.key])
        assert f'<form class="quick-add-form" method="post" action="{action}"' in body
    assert "hx-post=" not in body.split('<div class="quick-add-page">')[1]


def test_a_plain_post_goes_to_the_new_record(client_for):
    client = client_for("ana")

    response = add(client, "contact", {"first_name": "Nova", "last_name": "Plain"}, htmx=False)

    contact = Contact.objects.get(last_name="Plain")
    assert response.status_code == 302
    assert response.url == contact.get_absolute_url()
    assert "HX-Trigger" not in response.headers
    assert "Added contact Nova Plain." in client.get(response.url).content.decode()


def test_an_invalid_plain_post_shows_the_form_page_with_the_errors(client_for):
    response = add(client_for("ana"), "contact", {"first_name": "Nova"}, htmx=False)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in body and "has-error" in body
    assert body.count('class="quick-add-form"') == 1


# ---- cost -----------------------------------------------------------------------------------


@pytest.fixture
def warm(client_for):
    client = client_for("ana")
    visibility.current_policy()  # cached per process, as for nearly every real request
    return client


@pytest.mark.parametrize("size", [1, 20])
def test_adding_a_contact_at_a_company_costs_six_queries(
    warm, org, size, django_assert_num_queries
):
    """The user, the company (from the user's visible ones), the contact, its history, the
    company read again in the save's transaction for the contact's search entry (crm/search.py
    `refresh`), the entry (one upsert). BEGIN and COMMIT make eight outside the test's
    transaction: DESIGN's budget for an HTMX interaction."""
    companies = [CompanyFactory(name=f"Company {i}", owner=org["ana"]) for i in range(size)]
    for company in companies:
        ContactFactory(company=company, owner=org[("ana", "ben")[company.pk % 2]])
    add(warm, "company", {"name": "Warm-up"})  # the report switches are read and cached

    with django_assert_num_queries(6):
        response = add(warm, "contact", {"last_name": "Budget", "company": companies[-1].pk})

    assert response.headers["HX-Trigger"] == "recordAdded"
    assert "Added contact <strong>Budget</strong>" in response.content.decode()
    assert Contact.objects.filter(company__in=companies).count() == size + 1


@pytest.mark.parametrize("size", [1, 20])
def test_logging_a_call_costs_four_queries(warm, org, size, django_assert_num_queries):
    """The user, the activity, its history, the day's rollup row (contacts/rollups.py)."""
    for i in range(size):
        add(warm, "call", {"subject": f"Earlier call {i}"})

    with django_assert_num_queries(4):
        response = add(warm, "call", {"subject": "One more"})

    assert response.headers["HX-Trigger"] == "recordAdded"
    assert Activity.objects.filter(owner=org["ana"], kind="call", done=True).count() == size + 1


# ---- the command palette --------------------------------------------------------------------


def palette(client, q):
    response = client.get(reverse("palette"), {"q": q}, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("size", [1, 20])
def test_the_palette_answers_in_two_queries_whatever_it_finds(
    warm, org, size, django_assert_num_queries
):
    company = CompanyFactory(name="Zephyr Holdings", owner=org["ben"])
    for i in range(size):
        owner = org[("ana", "ben")[i % 2]]
        DealFactory(title=f"Zephyr deal {i:02}", company=company, owner=owner)

    with django_assert_num_queries(2):
        response = warm.get(reverse("palette"), {"q": "zephyr"}, headers=HX)

    body = response.content.decode()
    assert body.count('href="/deals/') == min(size, 5)
    assert "Zephyr Holdings" in body
    assert "<html" not in body


def test_the_palette_finds_records_the_user_may_see_and_no_others(client_for, north_records):
    contact = north_records["contact"]

    assert f'href="{contact.get_absolute_url()}"' in palette(client_for("ben"), "secretname")
    assert "Secretname" not in palette(client_for("carla"), "secretname")


def test_the_palette_offers_actions_by_what_is_typed(client_for):
    client = client_for("ana")

    everything = palette(client, "")
    new = palette(client, "new")
    log = palette(client, "log c")

    assert "New contact" in everything and "My day" in everything and "Board" in everything
    assert "Settings" not in everything
    assert "New contact" in new and "New deal" in new and "Board" not in new
    assert "Log a call" in log and "New contact" not in log
    quick = reverse("quick-add-form", args=["call"])
    assert f'<a href="{quick}" tabindex="-1" data-quick-add>Log a call</a>' in log


def test_the_palette_offers_settings_to_the_admin_only(client_for):
    assert "Settings" in palette(client_for("admin"), "sett")
    assert "Settings" not in palette(client_for("maria"), "sett")


def test_actions_named_by_what_is_typed_lead_the_records(client_for, org):
    ContactFactory(first_name="Board", last_name="Member", owner=org["ana"])

    body = palette(client_for("ana"), "board")

    assert body.index(">Board</a>") < body.index("Board Member")


def test_the_palette_without_javascript_is_a_page(client_for, north_records):
    response = client_for("ana").get(reverse("palette"), {"q": "nordwind"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in body and 'id="palette-results"' in body
    assert "Nordwind rollout" in body


# ---- with whom: linked as the full form links ------------------------------------------------


def test_a_call_with_a_contact_is_linked_to_them_and_their_company(client_for, north_records):
    contact = north_records["contact"]

    response = add(client_for("ben"), "call", {"about": f"contact:{contact.pk}", "subject": "Hi"})

    assert response.headers["HX-Trigger"] == "recordAdded"
    call = Activity.objects.get(subject="Hi")
    assert list(call.contacts.all()) == [contact]
    assert (call.company, call.deal) == (contact.company, None)


def test_a_task_on_a_deal_is_linked_to_the_deal_its_company_and_its_people(
    client_for, north_records
):
    deal = north_records["deal"]
    other = ContactFactory(last_name="Second", owner=deal.owner)
    deal.contacts.add(other)

    add(
        client_for("ana"),
        "task",
        {"about": f"deal:{deal.pk}", "subject": "Send offer", "occurs_at": "2030-01-07T10:00"},
    )

    task = Activity.objects.get(subject="Send offer")
    assert (task.deal, task.company) == (deal, deal.company)
    assert set(task.contacts.all()) == {north_records["contact"], other}


def test_a_note_on_a_company_is_linked_to_the_company_only(client_for, north_records):
    company = north_records["company"]

    add(client_for("ana"), "note", {"about": f"company:{company.pk}", "subject": "Moved office"})

    note = Activity.objects.get(subject="Moved office")
    assert (note.company, note.deal, note.contacts.count()) == (company, None, 0)


@pytest.mark.parametrize(
    "about", ["contact:{pk}", "deal:{pk}", "company:{pk}", "user:1", "x", "contact:²"]
)
def test_with_someone_of_another_team_or_nonsense_is_refused_at_the_field(
    client_for, north_records, about
):
    about = about.format(pk=north_records["contact"].pk)

    response = add(client_for("carla"), "call", {"about": about, "subject": "Forged"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Pick one from the list" in body and "has-error" in body
    assert "Secretname" not in body and "Nordwind" not in body
    assert not Activity.objects.filter(subject="Forged").exists()


def test_the_with_whom_picker_offers_the_users_own_recent_records_without_javascript(
    client_for, north_records, org
):
    ContactFactory(first_name="Bens", last_name="Own", owner=org["ben"])  # visible, not hers

    body = client_for("ana").get(reverse("quick-add-form", args=["call"]), headers=HX)
    body = body.content.decode()

    select = body[body.index('<select name="about"') : body.index("</select>")]
    assert "Nora Secretname (contact)" in select and "Nordwind GmbH (company)" in select
    assert "Nordwind rollout (deal)" in select and "Bens Own" not in select
    assert body.index('name="about"') < body.index('name="subject"')
    assert 'role="combobox"' in body  # the type-ahead, shown by static/js/pickers.js
    assert '<select name="about" autofocus id="quick-call-about">' in body


@pytest.mark.parametrize("kind", ["contact", "company", "deal"])
def test_opened_on_a_records_page_the_activity_is_with_that_record(client_for, north_records, kind):
    record = north_records[kind]
    page = "http://testserver" + record.get_absolute_url()

    body = client_for("ben").get(
        reverse("quick-add-form", args=["meeting"]), headers={**HX, "HX-Current-URL": page}
    )

    body = body.content.decode()
    assert f'<option value="{kind}:{record.pk}" selected>' in body
    assert 'name="subject" maxlength="200" autofocus' in body  # the typing starts there


def test_opened_on_a_records_edit_page_the_activity_is_with_that_record(client_for, north_records):
    deal = north_records["deal"]
    page = f"http://testserver{reverse('deals:edit', args=[deal.pk])}?next=/"

    body = client_for("ana").get(
        reverse("quick-add-form", args=["task"]), headers={**HX, "HX-Current-URL": page}
    )

    assert f'<option value="deal:{deal.pk}" selected>' in body.content.decode()


def test_opened_on_a_page_of_no_record_nothing_is_prefilled(client_for, north_records):
    page = "http://testserver" + reverse("contacts:list") + "?page=1"

    body = client_for("ana").get(
        reverse("quick-add-form", args=["call"]), headers={**HX, "HX-Current-URL": page}
    )

    assert '<option value="" selected>—</option>' in body.content.decode()


def test_opened_on_a_page_the_user_may_not_see_nothing_is_prefilled(client_for, north_records):
    page = "http://testserver" + north_records["contact"].get_absolute_url()

    body = client_for("carla").get(
        reverse("quick-add-form", args=["call"]), headers={**HX, "HX-Current-URL": page}
    )

    body = body.content.decode()
    assert "Secretname" not in body
    assert '<option value="" selected>—</option>' in body


def test_without_javascript_the_page_takes_the_record_from_the_address(client_for, north_records):
    contact = north_records["contact"]

    body = client_for("ana").get(reverse("quick-add"), {"about": f"contact:{contact.pk}"})

    assert f'<option value="contact:{contact.pk}" selected>' in body.content.decode()


@pytest.mark.parametrize("size", [1, 20])
def test_logging_a_call_with_a_contact_costs_six_queries(
    warm, org, size, django_assert_num_queries
):
    """The user, the contact (within visibility), the activity, its history, its people, the
    day's rollup row."""
    contacts = [ContactFactory(last_name=f"Callee {i}", owner=org["ana"]) for i in range(size)]
    add(warm, "call", {"subject": "Warm-up"})  # the report switches are read and cached

    with django_assert_num_queries(6):
        response = add(warm, "call", {"about": f"contact:{contacts[-1].pk}", "subject": "Linked"})

    assert response.headers["HX-Trigger"] == "recordAdded"
    assert list(Activity.objects.get(subject="Linked").contacts.all()) == [contacts[-1]]


def test_the_contact_form_asks_for_duplicates_as_it_is_typed(client_for):
    body = client_for("ana").get(reverse("quick-add-form", args=["contact"]), headers=HX)

    body = body.content.decode()
    url = reverse("contacts:duplicates") + "?kind=contact"
    assert f'id="quick-add-duplicates" aria-live="polite" hx-get="{url}"' in body
    assert 'hx-trigger="input changed delay:300ms from:closest form"' in body
