"""Tables created from their CloudFormation declaration (infra/template.json), under any name: a
restore recreates a missing table, or makes new ones named with a suffix, exactly as deployed
(keys, indexes, billing, encryption, TTL, point-in-time recovery, resource policy)."""

import json

_CREATE_PROPERTIES = ("AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                      "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "SSESpecification", "StreamSpecification",
                      "TableClass")


def table_definitions(template: dict) -> dict[str, dict]:
    """The Properties of every table in the template, by table name."""
    return {resource["Properties"]["TableName"]: resource["Properties"]
            for resource in template["Resources"].values() if resource.get("Type") == "AWS::DynamoDB::Table"}


def key_names(definition: dict) -> list[str]:
    return [key["AttributeName"] for key in definition["KeySchema"]]


def denies_batch_writes(definition: dict) -> bool:
    """Whether the table's resource policy refuses BatchWriteItem to everyone (the append-only audit
    log): then items go in one conditional PutItem at a time."""
    statements = definition.get("ResourcePolicy", {}).get("PolicyDocument", {}).get("Statement", [])
    for statement in statements:
        actions = statement.get("Action", [])
        if statement.get("Effect") == "Deny" and "dynamodb:BatchWriteItem" in (
                [actions] if isinstance(actions, str) else actions):
            return True
    return False


def creation_parameters(table_name: str, definition: dict) -> dict:
    """CreateTable's parameters (also ImportTable's TableCreationParameters) for the definition."""
    request = {"TableName": table_name, **{name: definition[name] for name in _CREATE_PROPERTIES if name in definition}}
    sse = request.get("SSESpecification")
    if sse is not None:
        request["SSESpecification"] = {"Enabled": sse.get("SSEEnabled", False),
                                       **{k: v for k, v in sse.items() if k in ("SSEType", "KMSMasterKeyId")}}
    return request


def create_table(dynamodb, table_name: str, definition: dict) -> None:
    """Create `table_name` as the definition declares it, and wait until it is active."""
    request = creation_parameters(table_name, definition)
    policy = definition.get("ResourcePolicy", {}).get("PolicyDocument")
    if policy is not None:
        request["ResourcePolicy"] = json.dumps(policy)
    dynamodb.create_table(**request)
    dynamodb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    ttl = definition.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={
            "AttributeName": ttl["AttributeName"], "Enabled": True})
    pitr = definition.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(TableName=table_name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
