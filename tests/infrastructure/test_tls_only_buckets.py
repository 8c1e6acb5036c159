"""Every bucket refuses requests that do not come over TLS (P8): a bucket policy denies every S3
action on the bucket and its objects when aws:SecureTransport is false."""

from tests.infrastructure.conftest import resources_of_type


def denies_plain_http(policy, bucket_id):
    for statement in policy["PolicyDocument"]["Statement"]:
        resources = statement.get("Resource", [])
        resources = [resources] if not isinstance(resources, list) else resources
        if (statement.get("Effect") == "Deny" and statement.get("Principal") == "*"
                and statement.get("Action") in ("s3:*", ["s3:*"])
                and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                and {"Fn::GetAtt": [bucket_id, "Arn"]} in resources
                and {"Fn::Sub": "${%s.Arn}/*" % bucket_id} in resources):
            return True
    return False


def test_every_bucket_denies_requests_without_tls_when_packaged(template):
    # GIVEN every bucket and every bucket policy of the packaged template
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    policies = resources_of_type(template, "AWS::S3::BucketPolicy").values()
    assert len(buckets) >= 3
    # WHEN we look for a TLS-only statement on each bucket (itself and its objects)
    without = sorted(bucket_id for bucket_id in buckets
                     if not any(p["Properties"]["Bucket"] == {"Ref": bucket_id}
                                and denies_plain_http(p["Properties"], bucket_id) for p in policies))
    # THEN every bucket has one
    assert without == []


def test_tls_check_finds_a_bucket_open_to_plain_http_when_its_policy_lacks_the_condition():
    # GIVEN a policy that denies everything, but not because of the transport
    resources = [{"Fn::GetAtt": ["B", "Arn"]}, {"Fn::Sub": "${B.Arn}/*"}]
    policy = {"PolicyDocument": {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                "Resource": resources}]}}
    # THEN the check does not take it for a TLS-only policy
    assert denies_plain_http(policy, "B") is False
