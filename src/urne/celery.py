"""The Celery application.

In production a broker (Redis or RabbitMQ) is named by CELERY_BROKER_URL and workers run
`urne celery worker`. In the embedded default (no broker) tasks run eagerly, in-process, so that
`make demo` needs nothing but Python.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")

app = Celery("urne")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
