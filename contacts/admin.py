from django.contrib import admin

from contacts.models import Activity, Company, Contact
from crm.admin import OwnedRecordAdmin


@admin.register(Company)
class CompanyAdmin(OwnedRecordAdmin):
    list_display = ["name", "domain", "owner"]
    search_fields = ["name_normalized", "domain"]
    raw_id_fields = ["owner"]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(OwnedRecordAdmin):
    list_display = ["__str__", "company", "email", "owner"]
    search_fields = ["name_normalized", "email_normalized"]
    raw_id_fields = ["owner", "company"]
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(OwnedRecordAdmin):
    list_display = ["subject", "kind", "occurs_at", "done", "owner"]
    raw_id_fields = ["owner", "company", "deal", "contacts"]
    show_full_result_count = False
