from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from contacts import search
        from crm.registry import register_nav_item, register_search_provider

        register_search_provider("contacts", search.search_contacts)
        register_search_provider("companies", search.search_companies)
        register_nav_item("Contacts", "contacts:list", 20)
        register_nav_item("Companies", "contacts:company-list", 30)
        register_nav_item("Activities", "contacts:activity-list", 40)
