"""One DynamoDB table of infra/template.json on moto, fresh for each test: what a repository's
contract suite runs its Dynamo implementation against (no stack, no app, ~50 ms a test)."""

import boto3
import pytest
from moto import mock_aws

from devstack import infra

REGION = "eu-west-1"
_TABLE_PROPERTIES = ("TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")


def table_fixture(resource: str):
    """A fixture giving the name of the template's table `resource`, created empty on moto."""

    @pytest.fixture
    def table():
        properties = infra.load_template()["Resources"][resource]["Properties"]
        with mock_aws():
            boto3.session.Session(region_name=REGION).client("dynamodb").create_table(
                **{name: properties[name] for name in _TABLE_PROPERTIES if name in properties})
            yield properties["TableName"]

    return table
