from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"

    def ready(self):
        from crm.fields import register_list_table
        from crm.registry import (
            register_inline_fields,
            register_nav_item,
            register_quick_add,
            register_record_form,
        )
        from crm.search import register_document
        from deals import search
        from deals.forms import DealForm
        from deals.models import Deal
        from deals.tables import DealTable

        register_document(
            Deal, search.deal_document, watch=["title", "company"], label=("company", "name")
        )
        register_inline_fields("deals.Deal", "title", "amount", "expected_close", "lost_reason")
        register_nav_item("Deals", "deals:list", 50)
        register_nav_item("Board", "deals:board", 60)
        register_quick_add("deal", "Deal", DealForm, 40)
        register_record_form("deal", DealForm)
        register_list_table("deal", DealTable)  # its columns people may hide (crm/fields.py)
        # The deals list's export and `manage.py export deals` (crm/crud.py): the page's parts.
        from crm.registry import register_list_export
        from deals import views
        from deals.filters import DealFilter
        from deals.tables import DealTable

        register_list_export(
            "deals",
            records=views.deal_records,
            filterset_class=DealFilter,
            table_class=DealTable,
            url_name="deals:export",
        )
