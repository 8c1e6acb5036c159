"""Calls the app's event handlers the way Lambda does: same event shapes, a Lambda-like context."""

import importlib
import json
import os
import time
import uuid
from dataclasses import dataclass, field

from devstack.infra import PROJECT_DIR

ACCOUNT_ID = "123456789012"


def stage_environment(stage: str) -> dict[str, str]:
    """The environment Chalice gives the app for a stage (top level, then the stage's own)."""
    with open(os.path.join(PROJECT_DIR, ".chalice", "config.json"), encoding="utf-8") as file:
        config = json.load(file)
    environment = dict(config.get("environment_variables", {}))
    environment.update(config["stages"][stage].get("environment_variables", {}))
    return environment


def load_app(stage: str):
    """Import app.py with the stage's environment, as `chalice local` does."""
    os.environ.update(stage_environment(stage))
    os.chdir(PROJECT_DIR)
    import sys

    if PROJECT_DIR not in sys.path:
        sys.path.insert(0, PROJECT_DIR)
    return importlib.import_module("app")


@dataclass
class LambdaContext:
    function_name: str
    timeout_s: int = 60
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{os.environ.get('AWS_DEFAULT_REGION', 'eu-west-1')}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


def invoke(app_module, handler_name: str, event: dict):
    handler = getattr(app_module, handler_name)
    return handler(event, LambdaContext(function_name=f"mailexpert-local-{handler_name}"))
