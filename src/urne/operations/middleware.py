"""django-prometheus's middlewares, with the request's method label kept to a fixed list.

The library labels its latency histogram with the method exactly as the client sent it: any
word a client invents would make a new series. Every label here takes a known value."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_prometheus.middleware import (
    PrometheusAfterMiddleware as _After,
)
from django_prometheus.middleware import (
    PrometheusBeforeMiddleware,
)


class PrometheusAfterMiddleware(_After):  # type: ignore[misc]
    def label_metric(
        self, metric: Any, request: HttpRequest, response: Any = None, **labels: Any
    ) -> Any:
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)


__all__ = ["PrometheusAfterMiddleware", "PrometheusBeforeMiddleware"]
