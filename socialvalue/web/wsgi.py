"""WSGI entry point: ``gunicorn socialvalue.web.wsgi`` (see docs/deploy.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialvalue.web.settings")
application = get_wsgi_application()
