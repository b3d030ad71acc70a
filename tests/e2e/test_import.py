"""Importing in the browser (issue 16): ana opens Contacts, clicks Import, picks her Google
export, puts its customer-number column into the custom field by keyboard, previews, imports,
and undoes it; then a deals file, its stage column chosen by keyboard — clicking and typing as
a person does, with no error in the browser."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from crm.models import CustomField, User
from deals.models import Deal
from imports.models import ImportBatch, ImportUpload, SavedMapping
from tests.factories import CompanyFactory, PipelineFactory, StageFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")

GOOGLE = Path(__file__).parent.parent / "contacts" / "import_files" / "google_contacts.csv"


@pytest.fixture
def ana():
    UserFactory(username="ana", team=TeamFactory(name="North"))
    CustomField.objects.create(
        model="contact", key="customer_number", label="Customer number", type="text"
    )


@pytest.fixture
def console_errors(page):
    """Errors the browser logs (a refused script or style, a failed request)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"{page.url}: {m.text}") if m.type == "error" else 0)
    return seen


def test_ana_uploads_maps_previews_imports_and_undoes(page, actions, ana, console_errors):
    actions.log_in("ana")
    actions.click(page.get_by_role("link", name="Contacts", exact=True), "click Contacts")
    actions.click(page.get_by_role("link", name="Import", exact=True), "click Import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    expect(page.get_by_label("Contacts", exact=True)).to_be_checked()  # what a file holds

    # The file chooser is the browser's own dialog; Playwright hands it the file.
    page.get_by_label("File to import").set_input_files(str(GOOGLE))
    expect(page.get_by_label("Update the existing record")).to_be_checked()
    actions.click(page.get_by_role("button", name="Upload"), "click Upload")

    # The mapping: guessed from the headers; the customer number goes into its custom field.
    expect(page.get_by_role("heading", level=1)).to_have_text("Import google_contacts.csv: columns")
    expect(page.get_by_label("First Name", exact=True)).to_have_value("first_name")
    column = page.get_by_label("Custom Field 1 - Value", exact=True)
    expect(column).to_have_value("")
    actions.click(column, "click the Custom Field 1 - Value column")
    actions.assert_focus(column)
    actions.type(column, "Customer")  # a select picks the option typed
    actions.press(column, "Enter", "Enter")
    expect(column).to_have_value("custom:customer_number")
    actions.click(page.get_by_role("button", name="Preview"), "click Preview")

    # The preview: counts and the rows, nothing written yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Import google_contacts.csv: preview")
    counts = page.locator(".import-preview .import-counts")
    expect(counts).to_contain_text("3 new")
    expect(counts).to_contain_text("3 new companies")
    expect(page.locator(".import-outcomes tr.status-merged")).to_contain_text(
        "the same person as row 2"
    )
    assert not Contact.objects.exists()
    actions.click(page.get_by_role("button", name="Import", exact=True), "click Import")

    # The batch page, with what was imported.
    expect(page.get_by_role("heading", level=1)).to_contain_text("google_contacts.csv")
    expect(page.locator("#messages")).to_contain_text(
        "Imported: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 with errors; 3 new companies."
    )
    assert Contact.objects.get(last_name="Schmidt").custom == {"customer_number": "K-1001"}
    assert not ImportUpload.objects.exists()
    batch = ImportBatch.objects.get()

    actions.click(page.get_by_role("button", name="Undo"), "click Undo")
    expect(page.locator("#messages")).to_contain_text(
        f"Import {batch.pk} undone: 0 restored, 6 removed."
    )
    expect(page.locator(".import-batch .undone")).to_contain_text("Undone")
    assert not Contact.objects.exists()
    assert SavedMapping.objects.count() == 1  # remembered for the next file of this shape

    # log in; Contacts, Import, Upload; the column: click, Enter; Preview, Import, Undo
    actions.assert_count(9)
    actions.assert_no_js_errors()
    assert console_errors == []


DEALS = (
    "Deal name,Company,Phase,Amount\n"
    "Nordwind rollout,Nordwind GmbH,Proposal,12500\n"
    "Ostwind pilot,Ostwind AG,,800\n"
)


def test_ana_imports_a_deals_file_choosing_the_stage_column(
    page, actions, ana, console_errors, tmp_path
):
    pipeline = PipelineFactory(name="Sales")
    StageFactory(pipeline=pipeline, name="Lead", order=1)
    StageFactory(pipeline=pipeline, name="Proposal", order=2)
    nordwind = CompanyFactory(name="Nordwind GmbH", owner=User.objects.get(username="ana"))
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")

    actions.log_in("ana")
    actions.click(page.get_by_role("link", name="Contacts", exact=True), "click Contacts")
    actions.click(page.get_by_role("link", name="Import", exact=True), "click Import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    actions.click(page.get_by_label("Deals", exact=True), "click Deals")
    expect(page.get_by_label("Deals", exact=True)).to_be_checked()
    page.get_by_label("File to import").set_input_files(str(path))
    actions.click(page.get_by_role("button", name="Upload"), "click Upload")

    # The mapping: a deal's fields; "Phase" is not a header Huddle knows, so ana chooses Stage.
    expect(page.get_by_role("heading", level=1)).to_have_text("Import deals.csv: columns")
    expect(page.get_by_label("Deal name", exact=True)).to_have_value("title")
    column = page.get_by_label("Phase", exact=True)
    actions.click(column, "click the Phase column")
    actions.assert_focus(column)
    actions.type(column, "Stage")
    actions.press(column, "Enter", "Enter")
    expect(column).to_have_value("stage")
    actions.click(page.get_by_role("button", name="Preview"), "click Preview")

    expect(page.get_by_role("heading", level=1)).to_have_text("Import deals.csv: preview")
    counts = page.locator(".import-preview .import-counts")
    expect(counts).to_contain_text("2 new")
    expect(counts).to_contain_text("1 new company")
    assert not Deal.objects.exists()
    actions.click(page.get_by_role("button", name="Import", exact=True), "click Import")

    expect(page.locator("#messages")).to_contain_text(
        "Imported: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 with errors; 1 new companies."
    )
    rollout = Deal.objects.get(title="Nordwind rollout")
    assert rollout.company == nordwind and rollout.stage.name == "Proposal"
    assert Deal.objects.get(title="Ostwind pilot").stage.name == "Lead"
    actions.click(page.get_by_role("button", name="Undo"), "click Undo")
    expect(page.locator("#messages")).to_contain_text("0 restored, 3 removed.")
    assert not Deal.objects.exists()

    # log in; Contacts, Import, Deals, Upload; the column: click, Enter; Preview, Import, Undo
    actions.assert_count(10)
    actions.assert_no_js_errors()
    assert console_errors == []
