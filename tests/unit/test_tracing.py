import os
import subprocess
import sys

from chalicelib import observability
from tests.conftest import PROJECT_DIR


def test_tracer_is_created_where_tracing_is_on():
    # GIVEN Lambda with active tracing, as the packaged template sets it up (checked in a separate
    # interpreter: creating the Tracer patches botocore for the whole process)
    environment = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "mailexpert-dev"}
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    # WHEN the first request asks for the tracer
    result = subprocess.run([sys.executable, "-c", "from chalicelib import observability as o; print(o.tracer() is not None)"],
                            cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=60)
    # THEN a real Tracer comes back: the X-Ray SDK is among the runtime requirements
    assert result.stdout.strip() == "True", result.stderr


def test_no_tracer_where_tracing_is_off(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    observability.tracer.cache_clear()
    try:
        assert observability.tracer() is None
    finally:
        observability.tracer.cache_clear()
