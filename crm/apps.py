from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Huddle core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from crm import tables
        from crm.middleware import stamp_at_login

        tables.install()
        user_logged_in.connect(stamp_at_login, dispatch_uid="crm-last-seen-at-login")
