"""moto (in-process) with every resource created from infra/template.json, then the app."""

import json
import os

import boto3
import pytest
from moto import mock_aws

from tests.conftest import TEST_STATE_DIR


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
