"""`make audit` where the vulnerability service cannot be reached: "not checked" with the reason
and its own exit status (3), never "clean" (the situation of a machine without PyPI's JSON API)."""

import os
import socket
import subprocess
import sys

from tests.conftest import PROJECT_DIR


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed once the probe is: connections to it are refused


def test_audit_says_not_checked_and_exits_3_when_the_service_cannot_be_reached():
    # GIVEN every HTTPS request going to a proxy on a closed local port: the service cannot be reached
    proxy = f"http://127.0.0.1:{_closed_port()}"
    environment = {**os.environ, "HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    # WHEN the audit runs on the locks, as `make audit` runs it
    completed = subprocess.run([sys.executable, "-m", "ops.audit", "requirements.lock", "requirements-dev.lock"],
                               cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=120)
    # THEN it says plainly that nothing was checked, and why, with the exit status of "not checked"
    assert completed.returncode == 3, completed.stdout + completed.stderr
    assert completed.stdout.startswith("not checked: the vulnerability service (pypi) cannot be reached")
    assert "clean" not in completed.stdout.lower()
