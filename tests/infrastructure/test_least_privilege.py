"""Least privilege (P8): no identity policy of the packaged template allows a wildcard action, and
`*` stands as a resource only for actions AWS gives no resource type in its Service Authorization
Reference (so no ARN could be named). The functions may use the KMS key only through the services
that hold their data."""

import pytest

from tests.infrastructure.conftest import functions, resources_of_type

# Each action allowed on "*", and why: AWS defines no resource type for it.
RESOURCELESS_ACTIONS = {
    # X-Ray (Service Authorization Reference, AWS X-Ray): no resource types for trace uploads.
    "xray:PutTraceSegments": "X-Ray trace segments belong to no resource",
    "xray:PutTelemetryRecords": "X-Ray telemetry belongs to no resource",
    # DynamoDB: ListBackups has no resource type (it lists across tables); daily_backup prunes with it.
    "dynamodb:ListBackups": "DynamoDB lists backups account-wide",
}
IDENTITY_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


def as_list(value):
    return value if isinstance(value, list) else [value]


def identity_statements(template):
    """(resource, statement) for every statement of an identity policy: roles' inline policies,
    IAM policies, and the policies SAM attaches to functions."""
    found = []
    for kind in IDENTITY_POLICY_TYPES:
        for name, resource in resources_of_type(template, kind).items():
            documents = ([p["PolicyDocument"] for p in resource["Properties"].get("Policies", [])]
                         if kind == "AWS::IAM::Role" else [resource["Properties"]["PolicyDocument"]])
            found += [(name, s) for d in documents for s in as_list(d["Statement"])]
    for name, function in functions(template).items():
        for policy in as_list(function["Properties"].get("Policies", [])):
            if isinstance(policy, dict) and "Statement" in policy:
                found += [(name, s) for s in as_list(policy["Statement"])]
    return found


def problems(statement):
    """What is too broad in one Allow statement (an empty list: nothing)."""
    if statement.get("Effect") != "Allow":
        return []
    if "NotAction" in statement or "NotResource" in statement:
        return ["NotAction/NotResource in an Allow"]
    found = [f"wildcard action {a}" for a in as_list(statement["Action"]) if "*" in a]
    if "*" in as_list(statement["Resource"]):
        found += [f"{a} on resource *" for a in as_list(statement["Action"]) if a not in RESOURCELESS_ACTIONS]
    return found


def test_no_identity_policy_is_broader_than_it_must_be_when_packaged(template):
    # GIVEN every identity policy statement of the packaged template
    statements = identity_statements(template)
    assert len({name for name, _ in statements}) >= 10  # every function's role, the backup and GuardDuty roles
    # WHEN we look for wildcards
    found = {name: problems(s) for name, s in statements if problems(s)}
    # THEN there are none: every action is named, and every resource too where AWS lets us name one
    assert found == {}


def test_least_privilege_check_finds_wildcards_when_a_statement_has_them():
    # GIVEN statements as broad as a hasty policy would be
    bad = [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"},
           {"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b"},
           {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "*"},
           {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]
    # THEN each one is reported, while a resourceless action on "*" and a Deny are not
    assert all(problems(s) for s in bad)
    assert problems({"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"}) == []
    assert problems({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}) == []


def test_functions_use_the_key_only_through_their_data_services_when_packaged(template):
    # GIVEN each function's role
    roles = {name: f["Properties"]["Role"]["Fn::GetAtt"][0] for name, f in functions(template).items()}
    for function, role in roles.items():
        statements = [s for p in template["Resources"][role]["Properties"]["Policies"]
                      for s in p["PolicyDocument"]["Statement"]
                      if any(a.startswith("kms:") for a in as_list(s["Action"]))]
        # THEN it may decrypt and make data keys with the MailExpert key (by its alias) only,
        # and only when DynamoDB, SQS or S3 call KMS on its behalf
        assert len(statements) == 1, function
        statement = statements[0]
        assert set(statement["Action"]) <= {"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}, function
        assert statement["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == ["alias/mailexpert"]
        services = as_list(statement["Condition"]["StringLike"]["kms:ViaService"])
        assert services and all(s.split(".")[0] in {"dynamodb", "sqs", "s3"} for s in services), function
