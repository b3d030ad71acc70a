"""Importing deals through import_records (the service the upload pages call): matching by
title and company among visible deals, pipelines and stages, linked companies and contacts,
bad rows, re-imports, undo, visibility and owners."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from contacts.models import Company
from crm.models import CustomField, SearchEntry
from deals.models import Deal
from imports.models import ImportBatch
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
)
from tests.imports.records import snapshot

pytestmark = pytest.mark.django_db
HEADER = "Title,Company,Contact,Pipeline,Stage,Amount,Currency,Expected close,Lost reason,Owner"


@pytest.fixture
def sales(org):
    """The Sales pipeline: Lead, Proposal (open), Won, Lost; ana's company and contact."""
    pipeline = PipelineFactory(name="Sales", order=0)
    stages = {
        name: StageFactory(pipeline=pipeline, name=name, order=order, is_won=won, is_lost=lost)
        for order, (name, won, lost) in enumerate(
            [
                ("Lead", False, False),
                ("Proposal", False, False),
                ("Won", True, False),
                ("Lost", False, True),
            ]  # fmt: skip
        )
    }
    company = CompanyFactory(name="Nordwind GmbH", owner=org["ana"])
    nora = ContactFactory(first_name="Nora", last_name="Nord", email="nora@nordwind.example",
                          company=company, owner=org["ana"])  # fmt: skip
    return {"pipeline": pipeline, "stages": stages, "company": company, "nora": nora}


def test_a_deals_file_imports_once_and_then_reads_as_unchanged(sales, import_records, write_csv):
    path = write_csv(
        HEADER,
        'Big rollout,Nordwind GmbH,nora@nordwind.example,,,"12,500.00",EUR,2027-03-01,,',
        "Small deal,New Co,Nora Nord,Sales,won,500.5,,2027-01-15,,",  # 500.50 once stored
        "Big rollout, nordwind gmbh ,,,Proposal,,,,,",  # the same deal again: merged
    )
    first = import_records("deals", path)
    assert (first["new"], first["updated"], first["unchanged"], first["errors"]) == (2, 0, 0, [])
    assert first["companies_new"] == 1
    big = Deal.objects.get(title="Big rollout")
    assert big.company == sales["company"] and big.stage == sales["stages"]["Proposal"]
    assert big.amount == Decimal("12500.00") and big.expected_close == date(2027, 3, 1)
    assert list(big.contacts.all()) == [sales["nora"]]
    assert big.owner.username == "ana" and big.closed_at is None
    small = Deal.objects.get(title="Small deal")
    assert small.stage == sales["stages"]["Won"] and small.closed_at is not None
    assert small.company.name == "New Co" and list(small.contacts.all()) == [sales["nora"]]
    assert small.history.count() == 1
    assert SearchEntry.objects.filter(kind="deal", object_id=small.pk).exists()

    again = import_records("deals", path)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert again["companies_new"] == 0
    assert Deal.objects.count() == 2 and Company.objects.filter(name="New Co").count() == 1


def test_blank_stage_is_the_first_open_one_and_an_unknown_stage_lists_the_valid_ones(
    sales, import_records, write_csv
):
    path = write_csv(HEADER, "Plain,,,,,100,,,,", "Odd,,,,Nowhere,100,,,,", "Nope,,,Other,,,,,,")
    result = import_records("deals", path)
    assert result["new"] == 1
    assert Deal.objects.get(title="Plain").stage == sales["stages"]["Lead"]
    errors = {error["row"]: error for error in result["errors"]}
    assert errors[3]["column"] == "Stage"
    assert errors[3]["message"] == (
        "“Nowhere” is not a stage of Sales; its stages are: Lead, Proposal, Won, Lost."
    )
    assert errors[4]["column"] == "Pipeline" and "Sales" in errors[4]["message"]


def test_a_lost_stage_needs_a_reason_and_closes_the_deal(sales, import_records, write_csv):
    path = write_csv(HEADER, "Gone,,,,Lost,100,,,,", "Gone too,,,,Lost,100,,,Too dear,")
    result = import_records("deals", path)
    assert result["new"] == 1
    assert result["errors"] == [
        {"row": 2, "column": "Lost reason", "message": "Say why the deal was lost."}
    ]
    assert Deal.objects.get(title="Gone too").closed_at is not None


def test_a_bad_date_or_amount_leaves_its_row_out_and_names_it(sales, import_records, write_csv):
    path = write_csv(
        HEADER,
        "Good,,,,,100,,2027-01-01,,",
        "Bad date,,,,,100,,31/31/2027,,",
        "Bad amount,,,,,lots,,,,",
    )
    result = import_records("deals", path)
    assert result["new"] == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "Expected close"),
        (4, "Amount"),
    ]
    assert "31/31/2027" in result["errors"][0]["message"]
    assert not Deal.objects.filter(title__startswith="Bad").exists()


def test_undo_removes_the_people_the_import_linked_and_keeps_those_linked_by_hand_since(
    org, sales, import_records, write_csv, undo
):
    deal = DealFactory(title="Big rollout", company=sales["company"], owner=org["ana"],
                       stage=sales["stages"]["Lead"])  # fmt: skip
    path = write_csv(HEADER, "Big rollout,Nordwind GmbH,nora@nordwind.example,,,,,,,")
    result = import_records("deals", path)
    assert result["updated"] == 1 and list(deal.contacts.all()) == [sales["nora"]]
    by_hand = ContactFactory(first_name="Hand", last_name="Linked", owner=org["ana"])
    deal.contacts.add(by_hand)  # a link change bumps no version: the undo still applies

    assert "1 restored" in undo(result["batch"])
    assert list(deal.contacts.all()) == [by_hand]


def test_undo_restores_updated_deals_exactly_and_removes_new_ones(
    org, sales, import_records, write_csv, undo
):
    CustomField.objects.create(model="deal", key="source", label="Source", type="text")
    deal = DealFactory(title="Big rollout", company=sales["company"], owner=org["ana"],
                       stage=sales["stages"]["Lead"], amount=Decimal("100.00"),
                       custom={"source": "fair"}, lost_reason="")  # fmt: skip
    gone = ContactFactory(first_name="Gone", last_name="Away", owner=org["ana"])
    deal.contacts.add(gone)
    gone.deleted_at = timezone.now()  # in the trash: the deal keeps the link
    gone.save()
    before = snapshot(deal)
    path = write_csv(
        HEADER + ",Source",
        "Big rollout,Nordwind GmbH,nora@nordwind.example,,Won,250,,2027-05-05,,,web",
        "Brand new,Fresh AG,,,,,,,,,",
    )
    result = import_records("deals", path)
    assert (result["new"], result["updated"]) == (1, 1)
    changed = Deal.objects.get(pk=deal.pk)
    assert changed.stage.name == "Won" and changed.closed_at is not None
    assert changed.custom == {"source": "web"} and changed.amount == Decimal("250.00")
    assert changed.owner == org["ana"] and list(changed.contacts.all()) == [sales["nora"]]

    assert "1 restored, 2 removed" in undo(result["batch"])  # the new deal and Fresh AG
    assert snapshot(deal) == before
    assert not Deal.objects.filter(title="Brand new").exists()
    assert Deal.all_objects.get(title="Brand new").deleted_at is not None
    assert not Company.objects.filter(name="Fresh AG").exists()
    assert ImportBatch.objects.get(pk=result["batch"]).undone_at is not None


def test_updates_never_erase_and_never_change_the_owner(org, sales, import_records, write_csv):
    deal = DealFactory(title="Keep", owner=org["ana"], stage=sales["stages"]["Proposal"],
                       amount=Decimal("900.00"), lost_reason="")  # fmt: skip
    result = import_records("deals", write_csv(HEADER, "Keep,,,,,,,,,ben"))
    assert result["unchanged"] == 1 and result["errors"] == []
    deal.refresh_from_db()
    assert deal.amount == Decimal("900.00") and deal.stage == sales["stages"]["Proposal"]
    assert deal.owner == org["ana"]


def test_a_rep_cannot_match_or_reveal_another_team_s_deal(org, sales, import_records, write_csv):
    hidden_company = CompanyFactory(name="Southwind", owner=org["carla"])
    hidden = DealFactory(title="Secret deal", company=hidden_company, owner=org["carla"],
                         stage=sales["stages"]["Lead"], amount=Decimal("5.00"))  # fmt: skip
    result = import_records("deals", write_csv(HEADER, "Secret deal,Southwind,,,,77,,,,"))
    assert result["new"] == 1 and result["companies_new"] == 1 and result["warnings"] == []
    hidden.refresh_from_db()
    assert hidden.amount == Decimal("5.00")
    mine = Deal.objects.exclude(pk=hidden.pk).get()
    assert mine.owner == org["ana"] and mine.company != hidden_company


def test_a_teammate_s_deal_is_skipped_with_a_warning(org, sales, import_records, write_csv):
    DealFactory(title="Ben's", owner=org["ben"], stage=sales["stages"]["Lead"],
                amount=Decimal("1.00"))  # fmt: skip
    result = import_records("deals", write_csv(HEADER, "Ben's,,,,,2,,,,"))
    assert (result["skipped"], result["updated"]) == (1, 0)
    assert "may not change it" in result["warnings"][0]
    assert Deal.objects.get().amount == Decimal("1.00")


def test_an_owner_outside_the_policy_is_an_error(org, sales, import_records, write_csv):
    path = write_csv(HEADER, "For ben,,,,,,,,,ben", "For carla,,,,,,,,,carla")
    result = import_records("deals", path)  # a rep gives deals to nobody but herself
    assert result["new"] == 0
    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (2, "Owner", "You may not give deals to ben."),
        (3, "Owner", "You may not give deals to carla."),
    ]
    managed = import_records("deals", path, "maria")  # North's manager: North's people
    assert managed["new"] == 1 and Deal.objects.get().owner == org["ben"]


def test_an_unknown_contact_is_a_warning_and_the_deal_imports(
    org, sales, import_records, write_csv
):
    ContactFactory(first_name="Hidden", last_name="Person", email="h@south.example",
                   owner=org["carla"])  # fmt: skip
    path = write_csv(HEADER, "With ghost,,h@south.example,,,,,,,")
    result = import_records("deals", path)
    assert result["new"] == 1
    assert result["warnings"] == [
        "Row 2: no contact “h@south.example” among the contacts you can see; "
        "the deal is imported without it."
    ]
    assert not Deal.objects.get().contacts.exists()


def test_on_match_skip_and_create(org, sales, import_records, write_csv):
    DealFactory(title="Same", owner=org["ana"], stage=sales["stages"]["Lead"],
                amount=Decimal("1.00"))  # fmt: skip
    path = write_csv(HEADER, "Same,,,,,2,,,,")
    assert import_records("deals", path, "ana", "--on-match", "skip")["skipped"] == 1
    assert import_records("deals", path, "ana", "--on-match", "create")["new"] == 1
    assert Deal.objects.filter(title="Same").count() == 2
