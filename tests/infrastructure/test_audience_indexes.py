"""The audience table's secondary indexes: the packaged template declares each index the models
query (the sparse by-added index of /contacts' date orders among them), and the functions may use
them: the API queries each, the jobs function scans and updates the table for the one-off backfills."""

from tests.infrastructure.conftest import resources_of_type
from tests.infrastructure.test_least_privilege import as_list, identity_statements

TABLE_ARN = "arn:aws:dynamodb:*:*:table/mailexpert-audience"


def audience_table(template):
    [table] = [t for t in resources_of_type(template, "AWS::DynamoDB::Table").values()
               if t["Properties"]["TableName"] == "mailexpert-audience"]
    return table["Properties"]


def model_indexes() -> dict:
    """Each index the audience models query: its name -> (hash key, range key)."""
    from chalicelib.audience import models

    found = {}
    for model in (models.ContactModel, models.MembershipModel):
        for name, index in model._indexes.items():
            attributes = index.Meta.attributes.items()
            found[name] = (next(n for n, a in attributes if a.is_hash_key),
                           next(n for n, a in attributes if a.is_range_key))
    return found


def allowed(template, role: str, action: str) -> set[str]:
    """The resources `role` may do `action` on."""
    return {resource for name, statement in identity_statements(template) if name == role
            and statement.get("Effect") == "Allow" and action in as_list(statement["Action"])
            for resource in as_list(statement["Resource"])}


def test_the_template_declares_each_index_the_audience_models_query_when_packaged(template):
    # GIVEN the audience table of the packaged template
    properties = audience_table(template)
    declared = {index["IndexName"]: index for index in properties["GlobalSecondaryIndexes"]}
    attributes = {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]}
    # THEN each index of the models is there with the models' keys, projecting every attribute
    indexes = model_indexes()
    assert {"by-list", "by-joined", "by-address", "by-added"} <= set(indexes)
    for name, keys in indexes.items():
        assert name in declared, name
        assert [k["AttributeName"] for k in declared[name]["KeySchema"]] == list(keys), name
        assert [k["KeyType"] for k in declared[name]["KeySchema"]] == ["HASH", "RANGE"], name
        assert declared[name]["Projection"] == {"ProjectionType": "ALL"}, name
        assert all(attributes.get(key) == "S" for key in keys), name
    # AND the contacts by date added are keyed by account, then creation time and contact
    assert indexes["by-added"] == ("gsi3pk", "gsi3sk")


def test_the_api_may_query_each_audience_index_and_the_jobs_may_backfill_when_packaged(template):
    # GIVEN what the API's and the jobs' roles allow
    queried = allowed(template, "ApiHandlerRole", "dynamodb:Query")
    # THEN the API may query every index of the audience table
    for name in model_indexes():
        assert f"{TABLE_ARN}/index/{name}" in queried, name
    # AND the jobs function may scan the table and write the index keys (the one-off backfills)
    for action in ("dynamodb:Scan", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem"):
        assert TABLE_ARN in allowed(template, "OnJobMessageRole", action), action
