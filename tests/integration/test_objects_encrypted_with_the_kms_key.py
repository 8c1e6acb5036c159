"""What the app writes to S3 is encrypted with the buckets' default, the customer-managed KMS key
(P8): no write asks for S3's own keys instead."""

import io

from chalicelib.storage import Bucket

EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def _bucket_key(s3, name: str) -> str:
    rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    return rules[0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]


def test_objects_put_and_uploaded_by_the_app_are_under_the_buckets_kms_key(aws_resources):
    # GIVEN the exports bucket as the template creates it, through the app's adapter
    s3 = aws_resources.client("s3")
    bucket = Bucket(s3, EXPORTS_BUCKET)
    # WHEN the app puts a small object and uploads a file
    bucket.put("exports/a/1.zip", b"zip", content_type="application/zip")
    bucket.upload("imports/a/1-report.csv", io.BytesIO(b"line,email\n"), "text/csv")
    # THEN both are encrypted with the bucket's KMS key
    for key in ("exports/a/1.zip", "imports/a/1-report.csv"):
        head = s3.head_object(Bucket=EXPORTS_BUCKET, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms", key
        assert head["SSEKMSKeyId"].endswith(_bucket_key(s3, EXPORTS_BUCKET).rsplit("/", 1)[-1]), key


def test_the_import_files_upload_form_leaves_the_encryption_to_the_bucket(aws_resources):
    from types import SimpleNamespace

    from chalicelib.composition import services

    # GIVEN a list to import into
    account = SimpleNamespace(account_id="acc-kms", email="anna@example.nl", language="en")
    audience_list = services().audience_service.create_list(account, SimpleNamespace(name="Klanten", description=None))
    # WHEN the browser is handed the form that uploads the CSV file straight to S3
    _, form = services().contact_imports.begin(account, audience_list.list_id, "klanten.csv")
    # THEN the form does not ask for S3's own keys: the file lands under the bucket's KMS key
    assert not any("server-side-encryption" in name for name in form["fields"])
