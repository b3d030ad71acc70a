from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_custom_indexes(sender, using="default", **kwargs):
    from crm import custom_sql

    custom_sql.sync_all()


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Huddle core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from crm import choice_lists, tables
        from crm.middleware import stamp_at_login
        from crm.signin import end_sessions_at_logout

        tables.install()
        choice_lists.install()
        # SQLite rebuilds a table in some migrations with only the indexes its model declares:
        # the custom fields' expression indexes (crm/custom_sql.py) are made again after each.
        post_migrate.connect(_sync_custom_indexes, sender=self, dispatch_uid="crm-custom-indexes")
        user_logged_in.connect(stamp_at_login, dispatch_uid="crm-last-seen-at-login")
        user_logged_out.connect(end_sessions_at_logout, dispatch_uid="crm-end-sessions-at-logout")
