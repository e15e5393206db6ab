"""urne: verifiable online professional elections.

This package file imports nothing: `urne.crypto` (the protocol core) and `urne verify` must load
without Django, Celery or kombu. The Celery application is made when Django's settings load
(`urne.settings` imports `urne.celery`), and `celery -A urne` finds it in `urne.celery`.
"""
