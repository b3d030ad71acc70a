"""`import_calendar PATH_OR_URL --user USERNAME [--json]`, through call_command."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Activity
from tests.calendars.conftest import FILES


def import_calendar(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_issue_s_json_and_a_second_run_is_all_unchanged(people):
    path = str(FILES / "google_export.ics")

    first, _ = import_calendar(path, "--user", "ana", "--json")
    second, _ = import_calendar(path, "--user", "ana", "--json")

    assert json.loads(first) == {
        "created": 5,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 1,
        "skipped": [],
        "matched_contacts": 1,
        "unknown_attendees": ["nils.neu@kunde.example"],
        "errors": [],
    }
    assert json.loads(second) == json.loads(first) | {"created": 0, "unchanged": 6}


def test_the_command_reports_skipped_events_with_their_uid_and_reason(people):
    out, _ = import_calendar(str(FILES / "impossible_date.ics"), "--user", "ana", "--json")

    assert json.loads(out)["skipped"] == [
        {
            "uid": "feb-30@example.com",
            "reason": "DTSTART cannot be read: Wrong datetime format: 20270230T100000Z",
        }
    ]
    assert json.loads(out)["created"] == 1


def test_the_command_without_json_says_what_it_did_in_words(people):
    out, _ = import_calendar(str(FILES / "outlook_invite.ics"), "--user", "ana")

    assert out.splitlines() == [
        "1 created, 0 updated, 0 cancelled, 0 unchanged, 0 skipped; 1 contact matched",
        "  not yet contacts: olaf.ohne@example.com",
    ]


@pytest.mark.parametrize("name", ["truncated.ics", "page.html", "contact.vcf"])
def test_a_refused_file_exits_non_zero_with_the_reason_in_the_json_and_nothing_changed(
    people, name
):
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_calendar", str(FILES / name), "--user", "ana", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert result["created"] == result["updated"] == result["unchanged"] == 0
    assert len(result["errors"]) == 1 and result["errors"][0]
    assert not Activity.all_objects.filter(source="calendar").exists()


def test_an_unknown_user_or_a_missing_file_is_an_error(people, tmp_path):
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        import_calendar(str(FILES / "all_day.ics"), "--user", "nobody")
    with pytest.raises(CommandError, match="cannot be read"):
        import_calendar(str(tmp_path / "missing.ics"), "--user", "ana")


def test_the_command_runs_as_a_process_and_exits_1_on_refusal(people):
    """What cron sees: the exit status (run_from_argv turns CommandError into 1)."""
    from django.core.management import ManagementUtility

    utility = ManagementUtility(
        ["manage.py", "import_calendar", str(FILES / "page.html"), "--user", "ana"]
    )
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code == 1
