"""The accounts scan of partner statistics asks DynamoDB for exactly the attributes the API function's
IAM policy allows it (tests/infrastructure/test_partner_statistics_permissions.py): the request
itself names them, with Select SPECIFIC_ATTRIBUTES, so in AWS no other attribute could come back."""

from chalicelib.accounts.repository import STATISTICS_ATTRIBUTES, DynamoAccounts
from tests.fakes.accounts import an_account
from tests.integration.dynamo_tables import REGION, table_fixture

accounts_table = table_fixture("AccountsTable")


def test_scan_request_names_only_the_allowed_attributes(accounts_table):
    # GIVEN an account, and every Scan request the app's DynamoDB client makes recorded
    accounts = DynamoAccounts(accounts_table, REGION, None)
    accounts.create(an_account())
    requests = []
    client = accounts._accounts._get_connection().connection.client
    client.meta.events.register("provide-client-params.dynamodb.Scan",
                                lambda params, **_: requests.append(dict(params)))
    # WHEN the statistics read a page
    page, _ = accounts.statistics_page()
    # THEN the one Scan asked for the allowed attributes only, by name
    assert [fact.account_id for fact in page] == ["acc-1"]
    [request] = requests
    assert request["Select"] == "SPECIFIC_ATTRIBUTES"
    projected = {request["ExpressionAttributeNames"][name.strip()] for name in request["ProjectionExpression"].split(",")}
    assert projected == set(STATISTICS_ATTRIBUTES)
    assert set(request["ExpressionAttributeNames"].values()) == set(STATISTICS_ATTRIBUTES)
