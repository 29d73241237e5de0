import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from dispatch.live import Shortcut  # noqa: E402  (after Django is set up)

# The dispatchers' live queues poll often; an unchanged one is answered before Django runs.
application = Shortcut(django_application)
