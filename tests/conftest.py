"""Test environment: the settings the app reads, set before anything imports the app.

Unit and integration tests run in-process against moto's mocks (no endpoint override); the
end-to-end tests start the real local stack in its own processes (stage `e2e`).
"""

import json
import os
import sys
import tempfile

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT_DIR)

with open(os.path.join(PROJECT_DIR, ".chalice", "config.json"), encoding="utf-8") as _file:
    CHALICE_CONFIG = json.load(_file)

TEST_STATE_DIR = tempfile.mkdtemp(prefix="mailexpert-test-")

os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
os.environ.update(CHALICE_CONFIG["environment_variables"])
os.environ.update({
    "STAGE": "local",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "ASSETS_BUCKET": "mailexpert-assets-123456789012-eu-west-1",
    "EXPORTS_BUCKET": "mailexpert-exports-123456789012-eu-west-1",
    "BACKUP_BUCKET": "mailexpert-backups-123456789012-eu-west-1",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "LOCAL_STATE_DIR": TEST_STATE_DIR,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "INFO",  # so every log call runs: a bad log call is a bug
})

# Read the settings now, from this environment: chalice's test client patches os.environ with a
# stage's variables during each request, and the app must not pick those up instead.
from chalicelib.config import settings  # noqa: E402

settings()

