"""Importing activities through import_records: matching by ID, else by kind, subject, time
and first contact, among visible activities; links to contacts, companies and deals; the
activity rollup and history kept right; re-imports; undo; visibility and owners."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from contacts import rollups
from contacts.models import Activity, ActivityDay, Company
from crm.models import CustomField
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.imports.records import snapshot

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "ID,Type,Subject,Date,Done,Notes,Contacts,Company,Deal,Owner"


@pytest.fixture
def people(org):
    ana = org["ana"]
    company = CompanyFactory(name="Nordwind GmbH", owner=ana)
    return {
        "company": company,
        "nora": ContactFactory(
            first_name="Nora",
            last_name="Nord",
            email="nora@nordwind.example",
            company=company,
            owner=ana,
        ),  # fmt: skip
        "olaf": ContactFactory(
            first_name="Olaf", last_name="Ost", email="olaf@ost.example", owner=ana
        ),  # fmt: skip
        "deal": DealFactory(title="Nordwind rollout", company=company, owner=ana),
    }


def rollup_rows() -> list[tuple]:
    return sorted(ActivityDay.objects.values_list("owner_id", "day", "kind", "count", "done_count"))


def test_an_activities_file_imports_once_and_then_reads_as_unchanged(
    org, people, import_records, write_csv
):
    path = write_csv(
        HEADER,
        "A-1,Call,Rollout call,2026-11-02 14:30,yes,Went well,nora@nordwind.example,,Nordwind rollout,",
        "A-2,meeting,Kick-off,03.11.2026 09:00,,,Nora Nord; olaf@ost.example,Nordwind GmbH,,",
        ",,Note without a type,2026-11-04,,Just a note,,New Co,,",
        ",E-mail,Offer sent,2026-11-04 10:00,,,Olaf Ost,,,",
    )
    first = import_records("activities", path)
    assert (first["new"], first["updated"], first["unchanged"], first["errors"]) == (4, 0, 0, [])
    assert first["companies_new"] == 1
    call = Activity.objects.get(external_id="A-1")
    assert call.kind == "call" and call.done and call.done_at is not None
    assert call.occurs_at == datetime(2026, 11, 2, 14, 30, tzinfo=BERLIN)
    assert call.source == "import" and call.deal == people["deal"] and call.body == "Went well"
    assert list(call.contacts.all()) == [people["nora"]] and call.owner == org["ana"]
    meeting = Activity.objects.get(external_id="A-2")
    assert set(meeting.contacts.all()) == {people["nora"], people["olaf"]}
    assert meeting.company == people["company"]
    note = Activity.objects.get(subject="Note without a type")
    assert note.kind == "note" and note.all_day  # a blank type is a note; a date alone, all day
    assert note.occurs_at == datetime(2026, 11, 4, tzinfo=BERLIN)
    assert note.company.name == "New Co" and note.history.count() == 1
    # The rollup counts them as a rebuild from scratch would.
    after = rollup_rows()
    assert (org["ana"].pk, datetime(2026, 11, 2).date(), "call", 1, 1) in after
    rollups.rebuild()
    assert rollup_rows() == after

    again = import_records("activities", path)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert Activity.objects.count() == 4 and Company.objects.filter(name="New Co").count() == 1


def test_matching_by_id_else_by_kind_subject_time_and_first_contact(
    org, people, import_records, write_csv
):
    when = datetime(2026, 11, 5, 10, 0, tzinfo=BERLIN)
    by_what = ActivityFactory(kind="call", subject="Weekly call", occurs_at=when, owner=org["ana"])
    by_what.contacts.add(people["nora"])
    other = ActivityFactory(kind="call", subject="Weekly call", occurs_at=when, owner=org["ana"])
    other.contacts.add(people["olaf"])
    path = write_csv(
        HEADER,
        ",call, weekly CALL ,2026-11-05 10:00,yes,,nora@nordwind.example,,,",
        ",call,Weekly call,2026-11-05 10:00,,Olaf's,Olaf Ost,,,",
        ",task,Weekly call,2026-11-05 10:00,,,Olaf Ost,,,",  # another kind: another activity
    )
    result = import_records("activities", path)
    assert (result["new"], result["updated"]) == (1, 2)
    assert Activity.objects.get(pk=by_what.pk).done
    assert Activity.objects.get(pk=other.pk).body == "Olaf's"


def test_undo_restores_updated_activities_exactly_and_removes_new_ones(
    org, people, import_records, write_csv, undo
):
    when = datetime(2026, 11, 6, 9, 0, tzinfo=BERLIN)
    CustomField.objects.create(model="activity", key="minutes", label="Minutes", type="number")
    task = ActivityFactory(kind="task", subject="Send offer", occurs_at=when, owner=org["ana"],
                           body="Draft", done=False, custom={"minutes": 5})  # fmt: skip
    task.contacts.add(people["nora"])
    before, rollup_before = snapshot(task), rollup_rows()
    path = write_csv(
        HEADER + ",Minutes",
        ",task,Send offer,2026-11-06 09:00,yes,,Nora Nord; Olaf Ost,,Nordwind rollout,,15",
        "X-9,call,Fresh call,2026-11-07 11:00,,,,,,,",
    )
    result = import_records("activities", path)
    assert (result["new"], result["updated"]) == (1, 1)
    changed = Activity.objects.get(pk=task.pk)
    assert changed.done and changed.done_at is not None and changed.deal == people["deal"]
    assert changed.contacts.count() == 2 and changed.body == "Draft"
    assert changed.custom == {"minutes": 15}

    assert "1 restored, 1 removed" in undo(result["batch"])
    assert snapshot(task) == before
    assert not Activity.objects.filter(subject="Fresh call").exists()
    assert rollup_rows() == rollup_before
    rollups.rebuild()
    assert rollup_rows() == rollup_before
    # The undone import's IDs are free again: the same file imports anew.
    assert import_records("activities", path)["new"] == 1


def test_a_bad_date_leaves_its_row_out_and_names_it(org, people, import_records, write_csv):
    path = write_csv(
        HEADER,
        ",call,Good,2026-11-02 10:00,,,,,,",
        ",call,Bad,2026-02-30 10:00,,,,,,",
        ",call,Bad time,2026-11-02 25:00,,,,,,",
        ",call,Bad done,2026-11-02,maybe,,,,,",
        ",gossip,Bad type,2026-11-02,,,,,,",
        ",call,,2026-11-02,,,,,,",
        ",call,No date,,,,,,,",
    )
    result = import_records("activities", path)
    assert result["new"] == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "Date"),
        (4, "Date"),
        (5, "Done"),
        (6, "Type"),
        (7, "Subject"),
        (8, "Date"),
    ]
    assert "2026-02-30" in result["errors"][0]["message"]
    assert "call, meeting, e-mail, task, note" in result["errors"][3]["message"]


def test_a_rep_cannot_match_or_reveal_another_team_s_activity(
    org, people, import_records, write_csv
):
    when = datetime(2026, 11, 8, 8, 0, tzinfo=BERLIN)
    hidden = ActivityFactory(kind="call", subject="Secret call", occurs_at=when,
                             owner=org["carla"], body="Secret")  # fmt: skip
    carla_deal = DealFactory(title="Carla's deal", owner=org["carla"])
    path = write_csv(HEADER, ",call,Secret call,2026-11-08 08:00,yes,Mine,,,Carla's deal,")
    result = import_records("activities", path)
    assert result["new"] == 1
    assert result["warnings"] == [
        "Row 2: no deal “Carla's deal” among the deals you can see; the activity is imported "
        "without it."
    ]
    hidden.refresh_from_db()
    assert hidden.body == "Secret" and not hidden.done
    mine = Activity.objects.exclude(pk=hidden.pk).get()
    assert mine.owner == org["ana"] and mine.deal is None and carla_deal.activities.count() == 0


def test_an_id_held_by_an_activity_the_importer_cannot_see_is_an_error(
    org, people, import_records, write_csv
):
    import_records("activities", write_csv(HEADER, "S-1,call,South's,2026-11-02,,,,,,"), "carla")
    result = import_records("activities", write_csv(HEADER, "S-1,call,Mine,2026-11-02,,,,,,"))
    assert result["new"] == 0
    assert result["errors"][0]["column"] == "ID"
    assert "South" not in str(result)
    assert Activity.objects.get(external_id="S-1").subject == "South's"


def test_an_owner_outside_the_policy_is_an_error(org, people, import_records, write_csv):
    path = write_csv(
        HEADER, ",call,For ben,2026-11-02,,,,,,ben", ",call,For carla,2026-11-02,,,,,,carla"
    )
    result = import_records("activities", path, "maria")
    assert result["new"] == 1 and Activity.objects.get().owner == org["ben"]
    assert result["errors"] == [
        {"row": 3, "column": "Owner", "message": "You may not give activities to carla."}
    ]
