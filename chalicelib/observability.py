"""Powertools Logger, Metrics and Tracer, in one place.

Every log line carries the request id and the route (or event handler) it belongs to; messages
are fixed strings with data as keyword fields, never personal data. The Tracer loads the X-Ray
SDK (~0.3 s), so it is only created when tracing is switched on.
"""

import functools
import os
import time
import uuid

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE_NAME = "mailexpert"
METRICS_NAMESPACE = "MailExpert"

logger = Logger(service=SERVICE_NAME)
metrics = Metrics(service=SERVICE_NAME, namespace=METRICS_NAMESPACE)

__all__ = ["logger", "metrics", "MetricUnit", "tracer", "bind_invocation", "flush_metrics"]


@functools.cache
def tracer():
    """The Powertools Tracer, or None where tracing is off (local runs, tests)."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true"):
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE_NAME)


def bind_invocation(route: str, request_id: str | None) -> str:
    """Start a fresh log context for one request or event; returns the request id used."""
    request_id = request_id or str(uuid.uuid4())
    # Thread-local keys: one invocation per container in Lambda, but the local event pump runs
    # several handlers at once in threads of one process.
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(request_id=request_id, route=route)
    return request_id


def flush_metrics() -> None:
    if metrics.metric_set:
        metrics.flush_metrics()


class Stopwatch:
    def __init__(self):
        self._start = time.perf_counter()

    @property
    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self._start) * 1000, 1)
