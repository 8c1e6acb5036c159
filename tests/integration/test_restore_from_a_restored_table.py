"""The AWS restore paths (PITR, AWS Backup, ImportTable) end in a table under a new name; `adopt`
exports it as a backup of the live table, which `restore` then brings back with every check."""

import json

from ops import restore as command
from tests.integration.backup_helpers import definitions, exports, recreate_empty

NOTICES = "mailexpert-notices"
RESTORED = "mailexpert-notices-pitr"


def test_adopted_table_restores_into_the_live_table_under_its_own_name(aws_resources, capsys):
    # GIVEN a table restored from PITR under a new name, holding what the live table lost
    from chalicelib.operations.table_definitions import create_table

    dynamodb = aws_resources.client("dynamodb")
    create_table(dynamodb, RESTORED, definitions()[NOTICES])
    lost = {"pk": {"S": "NEWS#n1"}, "sk": {"S": "v1"}, "title": {"S": "Onderhoud"}}
    dynamodb.put_item(TableName=RESTORED, Item=lost)
    dynamodb.delete_table(TableName=NOTICES)
    recreate_empty(dynamodb, [NOTICES])
    # WHEN it is adopted as a backup of the live table, verified, and restored
    assert command.run(["adopt", NOTICES, "--from-table", RESTORED]) == 0
    [backup] = exports(aws_resources).backups()
    assert command.run(["verify", backup.backup_id]) == 0
    assert command.run(["restore", backup.backup_id, "--table", NOTICES]) == 0
    # THEN the live table holds the item again, and the output said what happened
    assert dynamodb.get_item(TableName=NOTICES, Key={"pk": lost["pk"], "sk": lost["sk"]})["Item"] == lost
    output = capsys.readouterr().out
    assert f"{NOTICES}: 1 items, every file matches its checksum" in output
    assert f"{NOTICES}: 1 of 1 items written" in output


def test_table_parameters_are_what_import_table_takes_for_the_declared_table(capsys):
    # WHEN the operator asks for ImportTable's parameters of the campaigns table
    assert command.run(["table-parameters", "mailexpert-campaigns", "--name", "mailexpert-campaigns-imported"]) == 0
    parameters = json.loads(capsys.readouterr().out)
    # THEN they name the new table and carry the declared keys, index and encryption (the KMS key by its alias)
    assert parameters["TableName"] == "mailexpert-campaigns-imported"
    assert [k["AttributeName"] for k in parameters["KeySchema"]] == ["pk", "sk"]
    assert [i["IndexName"] for i in parameters["GlobalSecondaryIndexes"]] == ["due"]
    assert parameters["SSESpecification"] == {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/mailexpert"}
    assert set(parameters) <= {"TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                               "SSESpecification", "GlobalSecondaryIndexes"}
