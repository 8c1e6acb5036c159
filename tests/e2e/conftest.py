"""The real local stack (`python -m devstack run --stage e2e`): moto server, chalice local and the
event pump in their own processes, on ports of their own so a running `make run` is not disturbed."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from tests.conftest import CHALICE_CONFIG, PROJECT_DIR

STAGE = "e2e"
STAGE_ENV = CHALICE_CONFIG["stages"][STAGE]["environment_variables"]
BASE_URL = STAGE_ENV["PUBLIC_BASE_URL"]
STATE_DIR = os.path.join(PROJECT_DIR, STAGE_ENV["LOCAL_STATE_DIR"])
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 120

# Debian's Chromium, driven by Playwright (never `playwright install`); the flags keep it off the
# closed network of this machine.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000


@dataclass
class LocalStack:
    base_url: str
    log_path: str
    process: subprocess.Popen | None = None

    def start(self) -> None:
        deadline = time.monotonic() + 15  # a stack just stopped may take a moment to let go of its port
        while self._answers() and time.monotonic() < deadline:
            time.sleep(0.5)
        if self._answers():
            raise RuntimeError(f"another local stack already answers on {self.base_url}: stop it first "
                               "(these tests would talk to it instead of their own)")
        log = open(self.log_path, "ab")
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
        # its own process group: a stack that must be killed takes its chalice local along (else that
        # would keep the port, answering from a dead moto, and fail every later test)
        self.process = subprocess.Popen([sys.executable, "-m", "devstack", "run", "--stage", STAGE],
                                        cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT, env=environment,
                                        start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"local stack exited early:\n{self.log()}")
            try:
                if self.get_json("/health")["status"] == "ok":
                    return
            except (urllib.error.URLError, ConnectionError, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"local stack did not answer /health in {START_TIMEOUT_S} s:\n{self.log()}")

    def _answers(self) -> bool:
        try:
            self.get_json("/health")
        except (urllib.error.URLError, ConnectionError, ValueError):
            return False
        return True

    def stop(self) -> None:
        """Ctrl-C, as a developer would (the stack then saves its data: on a busy machine, after the
        whole suite's data, that can take a while)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as file:
            return file.read()

    def request(self, method: str, path: str, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()

    def get_json(self, path: str):
        try:
            _, body = self.request("GET", path)
        except urllib.error.HTTPError as error:
            body = error.read()
        return json.loads(body)

    def mail_to(self, address: str, subject: str | None = None) -> dict | None:
        """The newest outbox mail to an address (with that subject), with its SES events; None yet."""
        from urllib.parse import quote

        return next((mail for mail in self.get_json(f"/dev/outbox.json?to={quote(address)}")
                     if address in mail["to"] and subject in (None, mail["subject"])), None)

    def post_json(self, path: str, body: dict):
        status, content = self.request("POST", path, body)
        return status, json.loads(content) if content else None

    def run_job(self, name: str) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
        return subprocess.run([sys.executable, "-m", "devstack", "job", name, "--stage", STAGE], cwd=PROJECT_DIR,
                              capture_output=True, text=True, timeout=60, env=environment)

    def wait_for(self, condition, timeout_s: float = 30, interval_s: float = 0.5, what: str = "condition"):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval_s)
        raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory):
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    stack = LocalStack(base_url=BASE_URL, log_path=str(tmp_path_factory.mktemp("stack") / "stack.log"))
    stack.start()
    yield stack
    stack.stop()
    shutil.rmtree(STATE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test; each test opens contexts of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def english_page(browser):
    """A page in a fresh British-English browser context (downloads allowed)."""
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def assert_strict_policy(response) -> None:
    """The page came with a Content-Security-Policy that allows no inline scripts or styles."""
    directives = {}
    for part in response.headers.get("content-security-policy", "").split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value
    for directive in ("script-src", "style-src"):
        sources = directives.get(directive, directives.get("default-src"))
        assert sources, f"no {directive} (nor default-src) in the Content-Security-Policy"
        assert "'unsafe-inline'" not in sources
