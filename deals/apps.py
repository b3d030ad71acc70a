from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"

    def ready(self):
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

        register_document(
            Deal, search.deal_document, watch=["title", "company"], label=("company", "name")
        )
        register_inline_fields("deals.Deal", "title", "amount", "expected_close", "lost_reason")
        register_nav_item("Deals", "deals:list", 50)
        register_nav_item("Board", "deals:board", 60)
        register_quick_add("deal", "Deal", DealForm, 40)
        register_record_form("deal", DealForm)
