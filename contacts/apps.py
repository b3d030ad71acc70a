from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from contacts import addresses, rollups, search
        from contacts.models import Activity, Company, Contact
        from crm.reassign import reassigned
        from crm.registry import register_inline_fields, register_nav_item
        from crm.search import register_document

        register_document(
            Contact,
            search.contact_document,
            watch=["first_name", "last_name", "email", "phone", "emails", "phones", "company"],
            label=("company", "name"),
        )
        register_document(
            Company,
            search.company_document,
            watch=["name", "domain", "phone", "city"],
            related=search.company_dependents,
        )
        # Every address of a contact, in the lookup table the duplicate check and imports read.
        post_save.connect(addresses.contact_saved, sender=Contact, dispatch_uid="contact-handles")
        register_inline_fields(
            "contacts.Contact", "first_name", "last_name", "job_title", "email", "phone", "city"
        )
        register_inline_fields("contacts.Company", "name", "domain", "phone", "city")
        register_inline_fields("contacts.Activity", "subject")
        register_nav_item("Contacts", "contacts:list", 20)
        register_nav_item("Companies", "contacts:company-list", 30)
        register_nav_item("Activities", "contacts:activity-list", 40)
        self.register_list_tables()
        # The activity rollup follows every write of an activity (contacts/rollups.py).
        pre_save.connect(rollups.remember_old_row, sender=Activity, dispatch_uid="rollup-pre")
        post_save.connect(rollups.activity_saved, sender=Activity, dispatch_uid="rollup-save")
        post_delete.connect(rollups.activity_deleted, sender=Activity, dispatch_uid="rollup-del")
        reassigned.connect(rollups.owner_reassigned, dispatch_uid="rollup-reassigned")
        self.register_quick_adds()
        self.register_list_exports()

    @staticmethod
    def register_list_exports():
        """The lists' exports and `manage.py export` (crm/crud.py): the pages' own parts."""
        from contacts import vcard_export, views
        from contacts.filters import ActivityFilter, CompanyFilter, ContactFilter
        from contacts.tables import ActivityTable, CompanyTable, ContactTable
        from crm.registry import ExtraFormat, register_list_export

        vcard = ExtraFormat(vcard_export.CONTENT_TYPE, vcard_export.vcards)
        register_list_export(
            "contacts",
            records=views.contact_records,
            filterset_class=ContactFilter,
            table_class=ContactTable,
            url_name="contacts:export",
            formats={"vcf": vcard},
        )
        register_list_export(
            "companies",
            records=views.company_records,
            filterset_class=CompanyFilter,
            table_class=CompanyTable,
            url_name="contacts:company-export",
        )
        register_list_export(
            "activities",
            records=views.activity_records,
            filterset_class=ActivityFilter,
            table_class=ActivityTable,
            url_name="contacts:activity-export",
        )

    @staticmethod
    def register_list_tables():
        """The lists' tables, whose built-in columns people may hide (crm/fields.py)."""
        from contacts.tables import ActivityTable, CompanyTable, ContactTable
        from crm.fields import register_list_table

        register_list_table("contact", ContactTable)
        register_list_table("company", CompanyTable)
        register_list_table("activity", ActivityTable)

    @staticmethod
    def register_quick_adds():
        """The "+ Add" dialog's kinds (crm/quick_add.py): a contact first, then the activities."""
        from contacts.forms import ActivityForm, CompanyForm, ContactForm, QuickActivityForm
        from crm.registry import register_quick_add, register_record_form

        register_record_form("contact", ContactForm)
        register_record_form("company", CompanyForm)
        register_record_form("activity", ActivityForm)
        register_quick_add("contact", "Contact", ContactForm, 10)
        register_quick_add(
            "call", "Call", QuickActivityForm, 20, initial={"kind": "call"}, action="Log a call"
        )
        register_quick_add("task", "Task", QuickActivityForm, 30, initial={"kind": "task"})
        register_quick_add("company", "Company", CompanyForm, 50)
        register_quick_add("meeting", "Meeting", QuickActivityForm, 60, initial={"kind": "meeting"})
        register_quick_add(
            "note", "Note", QuickActivityForm, 70, initial={"kind": "note"}, action="Add a note"
        )
