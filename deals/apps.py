from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"

    def ready(self):
        from crm.registry import register_nav_item, register_search_provider
        from deals import search

        register_search_provider("deals", search.search_deals)
        register_nav_item("Deals", "deals:list", 50)
        register_nav_item("Board", "deals:board", 60)
