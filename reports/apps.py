from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from crm.registry import register_nav_item
        from reports import builtin  # noqa: F401  (registers the built-in reports)

        register_nav_item("My day", "home", 10)
        register_nav_item("Reports", "reports:index", 15)
        register_nav_item("Meetings", "reports:meetings:agendas", 16)
