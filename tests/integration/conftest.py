"""moto (in-process) with every resource created from infra/template.json, then the app; and the
log capture that fails any test whose log lines carry personal data (tests/integration/log_privacy.py)."""

import functools
import json
import logging
import os

import boto3
import pytest
from moto import mock_aws

from tests.conftest import TEST_STATE_DIR
from tests.integration.log_privacy import LogCapture, test_data_names

LOG_CAPTURE = pytest.StashKey[LogCapture]()


@pytest.fixture
def aws_resources():
    """GIVEN a fresh embedded AWS holding exactly the resources of the infra template."""
    with mock_aws():
        from devstack import infra

        infra.create_resources(boto3.session.Session(region_name="eu-west-1"), None)
        from chalicelib import aws, composition

        aws.reset()
        composition.reset()
        outbox_path = os.path.join(TEST_STATE_DIR, "outbox.jsonl")
        if os.path.exists(outbox_path):
            os.remove(outbox_path)
        yield boto3.session.Session(region_name="eu-west-1")
        aws.reset()
        composition.reset()


@pytest.fixture(autouse=True, scope="session")
def greedy_paths_as_in_api_gateway():
    """The same local route matching as `make run` (devstack.serve): `{proxy+}` at any depth."""
    from chalice import local

    from devstack.serve import match_route_with_greedy_paths

    original = local.RouteMatcher.match_route
    local.RouteMatcher.match_route = match_route_with_greedy_paths
    yield
    local.RouteMatcher.match_route = original


@pytest.fixture
def app_module(aws_resources):
    import app

    return app


@pytest.fixture
def client(app_module):
    from chalice.test import Client

    with Client(app_module.app, stage_name="dev") as test_client:
        yield test_client.http


@pytest.fixture
def outbox():
    from devstack.devtools.outbox import Outbox

    return Outbox(os.path.join(TEST_STATE_DIR, "outbox.jsonl"))


def json_body(response) -> dict:
    return json.loads(response.body)


# --- no personal data in the logs (P6) ---------------------------------------------------------

known_names = functools.cache(test_data_names)


@pytest.fixture(autouse=True)
def log_capture(request, monkeypatch):
    """Every log record of the test (setup, call, teardown), and what the test sends to the app and
    gets back, so the lines can be checked for personal data (pytest_runtest_makereport below)."""
    from chalice.test import TestHTTPClient

    capture = LogCapture(known_names())
    send = TestHTTPClient.request

    def request_seen(self, method, path, headers=None, body=b""):
        capture.sent(method, path, headers, body)
        response = send(self, method, path, headers=headers, body=body)
        capture.received(response)
        return response

    monkeypatch.setattr(TestHTTPClient, "request", request_seen)
    root = logging.getLogger()
    root.addHandler(capture)
    request.node.stash[LOG_CAPTURE] = capture
    yield capture
    root.removeHandler(capture)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A test whose log lines (or printed lines) carry personal data fails, saying which and where."""
    report = yield
    capture = item.stash.get(LOG_CAPTURE, None)
    if capture is None or report.when not in ("call", "teardown"):
        return report
    from devstack.devtools.outbox import Outbox

    capture.printed.append(report.capstdout + "\n" + report.capstderr)
    capture.mailed(Outbox(os.path.join(TEST_STATE_DIR, "outbox.jsonl")).mails())
    leaks = capture.leaks()
    if leaks:
        text = "\n".join(["Log lines carry personal data (P6: only the IP address may be logged; see "
                          "tests/integration/log_privacy.py):", *leaks])
        if report.passed:
            report.outcome, report.longrepr = "failed", text
        else:
            report.sections.append(("personal data in the logs", text))
    if report.when == "teardown":
        del item.stash[LOG_CAPTURE]  # items live for the whole session; their lines need not
    return report
