"""WSGI entry point for production servers (gunicorn urne.wsgi)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

from urne import checks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")
application = get_wsgi_application()
checks.mark_web_process()  # the authority's private key is refused here (urne.E009)

if settings.PRODUCTION:
    # Django's commands run the system checks, gunicorn does not: without this, a production
    # missing its database, cache or broker (urne.E002...) would serve anyway. An error raises
    # SystemCheckError here, so the server stops at start instead.
    call_command("check")
