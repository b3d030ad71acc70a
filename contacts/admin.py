from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import Activity, Company, Contact


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "domain", "owner"]
    search_fields = ["name_normalized", "domain"]
    raw_id_fields = ["owner", "created_by", "updated_by"]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "company", "email", "owner"]
    search_fields = ["name_normalized", "email_normalized"]
    raw_id_fields = ["owner", "company", "created_by", "updated_by"]
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "kind", "occurs_at", "done", "owner"]
    raw_id_fields = ["owner", "company", "deal", "contacts", "created_by", "updated_by"]
    show_full_result_count = False
