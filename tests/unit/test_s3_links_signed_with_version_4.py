"""S3's links and upload forms are signed with Signature Version 4: S3 refuses version 2 for objects
encrypted with a KMS key, which every bucket uses by default."""

from chalicelib import aws


def test_download_links_and_upload_forms_are_signed_with_version_4(monkeypatch):
    # GIVEN the app's S3 client in eu-west-1, with credentials and no endpoint override (as deployed)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "example")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    aws.reset()
    try:
        s3 = aws.s3()
        # WHEN it presigns a download and an upload form
        link = s3.generate_presigned_url("get_object", Params={"Bucket": "mailexpert-assets", "Key": "k"})
        form = s3.generate_presigned_post("mailexpert-assets", "incoming/k")
        # THEN both carry a version 4 signature, not version 2's AWSAccessKeyId
        assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in link and "AWSAccessKeyId" not in link
        assert form["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and "AWSAccessKeyId" not in form["fields"]
    finally:
        aws.reset()
