from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Huddle core"

    def ready(self):
        from crm import tables

        tables.install()
