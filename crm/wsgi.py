import os

from django.core.wsgi import get_wsgi_application

from crm.runtime import tune_gc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
application = get_wsgi_application()
tune_gc()  # after the app has loaded, so what it loaded is frozen (crm/runtime.py)
