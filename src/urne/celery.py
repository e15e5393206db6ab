"""The Celery application.

In production a broker (Redis or RabbitMQ) is named by CELERY_BROKER_URL and workers run
`celery -A urne worker` (Celery finds `app` here, in `urne.celery`). In the embedded default (no
broker) tasks run eagerly, in-process, so that `make demo` needs nothing but Python.

Django's settings (`urne.settings`) import this module, so the application exists before any
task module is imported and every `shared_task` binds to it. The package `urne` itself does not
import it: the protocol core, `urne.crypto`, and `urne verify` load without Celery.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")

app = Celery("urne")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
