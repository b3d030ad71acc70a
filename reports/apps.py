from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from crm.registry import register_nav_item

        register_nav_item("My day", "home", 10)
