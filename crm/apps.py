from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Huddle core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from crm import tables
        from crm.middleware import stamp_at_login
        from crm.signin import end_sessions_at_logout

        tables.install()
        user_logged_in.connect(stamp_at_login, dispatch_uid="crm-last-seen-at-login")
        user_logged_out.connect(end_sessions_at_logout, dispatch_uid="crm-end-sessions-at-logout")
