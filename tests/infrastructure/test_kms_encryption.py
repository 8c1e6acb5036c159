"""Data at rest is encrypted with MailExpert's own KMS key (P8): every table, queue, bucket and
topic of the packaged template, a key that rotates, and a key policy that lets SES publish to the
encrypted events topic and the alarms reach the encrypted operators topic."""

import pytest

from tests.infrastructure.conftest import resources_of_type


@pytest.fixture(scope="module")
def key(template):
    keys = resources_of_type(template, "AWS::KMS::Key")
    assert len(keys) == 1, sorted(keys)
    return next(iter(keys.items()))


@pytest.fixture(scope="module")
def alias_name(template, key):
    key_id, _ = key
    aliases = [a["Properties"]["AliasName"] for a in resources_of_type(template, "AWS::KMS::Alias").values()
               if a["Properties"]["TargetKeyId"] == {"Ref": key_id}]
    assert len(aliases) == 1, aliases
    return aliases[0]


def refers_to_key(value, key_id, alias_name):
    return value in (alias_name, {"Ref": key_id}, {"Fn::GetAtt": [key_id, "Arn"]})


def key_policy_statement(key, sid):
    _, resource = key
    statements = {s.get("Sid"): s for s in resource["Properties"]["KeyPolicy"]["Statement"]}
    assert sid in statements, sorted(statements)
    return statements[sid]


def test_key_rotates_and_outlives_the_stack_when_declared(key):
    # GIVEN the customer-managed key
    _, resource = key
    # THEN KMS rotates its material every year, and deleting the stack never deletes it
    assert resource["Properties"]["EnableKeyRotation"] is True
    assert resource["DeletionPolicy"] == "Retain"


def test_every_table_is_encrypted_with_the_key_when_packaged(template, key, alias_name):
    # GIVEN every DynamoDB table
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    assert len(tables) >= 8
    # WHEN we read its server-side encryption
    wrong = {name: t["Properties"].get("SSESpecification") for name, t in tables.items()
             if not (t["Properties"].get("SSESpecification", {}).get("SSEType") == "KMS"
                     and refers_to_key(t["Properties"]["SSESpecification"].get("KMSMasterKeyId"), key[0], alias_name))}
    # THEN each one uses the key (by its alias, a plain string that ops/restore.py can pass to CreateTable too)
    assert wrong == {}


def test_every_queue_is_encrypted_with_the_key_when_packaged(template, key, alias_name):
    # GIVEN every SQS queue, dead-letter queues included
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert len(queues) >= 7
    # THEN each one is encrypted with the key, not with SQS's own key
    wrong = sorted(name for name, q in queues.items()
                   if not refers_to_key(q["Properties"].get("KmsMasterKeyId"), key[0], alias_name)
                   or q["Properties"].get("SqsManagedSseEnabled"))
    assert wrong == []


def test_every_topic_is_encrypted_with_the_key_when_packaged(template, key, alias_name):
    # GIVEN every SNS topic (the SES events and the operators' alarms)
    topics = resources_of_type(template, "AWS::SNS::Topic")
    assert {t["Properties"]["TopicName"] for t in topics.values()} >= {"mailexpert-ses-events", "mailexpert-operators"}
    # THEN each one is encrypted with the key
    assert sorted(name for name, t in topics.items()
                  if not refers_to_key(t["Properties"].get("KmsMasterKeyId"), key[0], alias_name)) == []


def test_every_bucket_is_encrypted_with_the_key_when_packaged(template, key, alias_name):
    # GIVEN every S3 bucket
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    assert len(buckets) >= 3
    for name, bucket in buckets.items():
        rules = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        # THEN new objects are encrypted with the key by default, with an S3 bucket key to spare KMS calls
        assert len(rules) == 1, name
        default = rules[0]["ServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == "aws:kms", name
        assert refers_to_key(default.get("KMSMasterKeyID"), key[0], alias_name), name
        assert rules[0].get("BucketKeyEnabled") is True, name


def test_ses_may_publish_to_the_encrypted_events_topic_when_from_this_account(key):
    # GIVEN the key policy statement for SES
    statement = key_policy_statement(key, "SesPublishesToTheEncryptedEventsTopic")
    # THEN SES may make the data keys SNS needs, but only on behalf of this account
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert set(statement["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_alarms_may_publish_to_the_encrypted_operators_topic_when_from_this_account(key):
    # GIVEN the key policy statement for CloudWatch alarms
    statement = key_policy_statement(key, "AlarmsPublishToTheEncryptedOperatorsTopic")
    # THEN CloudWatch may use the key for this account's alarms
    assert "cloudwatch.amazonaws.com" in statement["Principal"]["Service"]
    assert "kms:GenerateDataKey" in statement["Action"]
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_guardduty_may_read_the_encrypted_uploads_when_scanning(template, key):
    # GIVEN the role GuardDuty Malware Protection assumes
    key_id, _ = key
    statements = [s for p in template["Resources"]["MalwareProtectionRole"]["Properties"]["Policies"]
                  for s in p["PolicyDocument"]["Statement"]]
    # WHEN we look for its use of the key
    kms = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
    # THEN it may decrypt the uploads it scans (through S3 only), and nothing else of KMS
    assert len(kms) == 1
    assert set(kms[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert kms[0]["Resource"] == [{"Fn::GetAtt": [key_id, "Arn"]}]
    assert "kms:ViaService" in kms[0]["Condition"]["StringLike"]
