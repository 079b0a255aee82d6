import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings.production")
application = get_wsgi_application()

# What is loaded now (Django, the apps, their models, every view behind the URL patterns) lives as long as
# the process. Frozen out of the garbage collector, its full passes no longer walk it again and again
# under load: they took 9 ms of a drawn register list's 100 ms, 2 ms once frozen.
get_resolver().url_patterns  # noqa: B018 - imports every view now, so they are frozen with the rest
gc.collect()
gc.freeze()
