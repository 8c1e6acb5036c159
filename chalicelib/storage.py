"""One S3 bucket as the domains use it: keys, bytes, links, never a raw client.

Everything the service writes is encrypted at rest with the bucket's default encryption (the
customer-managed KMS key of infra/template.json): no write asks for another. Links are presigned: a download link
for one object (optionally saved under a file name), an upload form the browser posts a file to
straight, never through Lambda. Deleting `every_version` also removes the older versions and
delete markers of a versioned bucket, so erased data does not linger as a previous version.
"""

from dataclasses import dataclass

from botocore.exceptions import ClientError

_DELETE_BATCH = 1000  # S3's DeleteObjects limit
_MISSING = ("404", "NoSuchKey", "NotFound")
_CHANGED = ("412", "PreconditionFailed")


class ObjectMissing(LookupError):
    """There is no object under that key (never uploaded, expired or deleted)."""


class ObjectChanged(LookupError):
    """The object under that key is no longer the one asked for (`if_match`): it was replaced."""


class ObjectExists(LookupError):
    """There is an object under that key already (`put(..., if_absent=True)`): nothing was written."""


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    metadata: dict
    etag: str = ""  # what `open(..., if_match=)` takes to read exactly this object
    version_id: str | None = None  # in a versioned bucket


class Bucket:
    def __init__(self, s3, name: str):
        self._s3, self.name = s3, name

    # --- objects ---------------------------------------------------------------------------------

    def put(self, key: str, body: bytes, content_type: str | None = None, metadata: dict | None = None,
            cache_control: str | None = None, if_absent: bool = False) -> None:
        """With `if_absent` only when the key holds no object yet (S3's conditional write): `ObjectExists`."""
        extra = {"ContentType": content_type, "Metadata": metadata, "CacheControl": cache_control,
                 "IfNoneMatch": "*" if if_absent else None}
        try:
            self._s3.put_object(Bucket=self.name, Key=key, Body=body,
                                **{name: value for name, value in extra.items() if value is not None})
        except ClientError as exc:
            if if_absent and exc.response.get("Error", {}).get("Code") in _CHANGED:
                raise ObjectExists(key) from None
            raise

    def upload(self, key: str, file, content_type: str) -> None:
        """A file object of any size, in parts when it is large."""
        self._s3.upload_fileobj(file, self.name, key,
                                ExtraArgs={"ContentType": content_type})

    def head(self, key: str) -> ObjectInfo | None:
        try:
            head = self._s3.head_object(Bucket=self.name, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        version = head.get("VersionId")
        return ObjectInfo(head["ContentLength"], head.get("Metadata") or {}, head.get("ETag", ""),
                          version if version and version != "null" else None)

    def open(self, key: str, first_bytes: int | None = None, if_match: str | None = None):
        """The object's content as a stream (close it), or only its first bytes; `ObjectMissing`.
        With `if_match` (an `ObjectInfo.etag`) only that very object: `ObjectChanged` if replaced."""
        extra = {"Range": f"bytes=0-{first_bytes - 1}"} if first_bytes else {}
        if if_match:
            extra["IfMatch"] = if_match
        try:
            return self._s3.get_object(Bucket=self.name, Key=key, **extra)["Body"]
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectMissing(key) from None
            if exc.response.get("Error", {}).get("Code") in _CHANGED:
                raise ObjectChanged(key) from None
            raise

    def tags(self, key: str, version_id: str | None = None) -> dict[str, str]:
        """The object's tags (of one version, if given); `ObjectMissing`."""
        version = {"VersionId": version_id} if version_id else {}
        try:
            tag_set = self._s3.get_object_tagging(Bucket=self.name, Key=key, **version)["TagSet"]
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectMissing(key) from None
            raise
        return {tag["Key"]: tag["Value"] for tag in tag_set}

    def keys(self, prefix: str):
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.name, Key=key)

    def delete_every_version(self, key: str, whole_prefix: bool = False) -> None:
        """Deletes `key` (or every key under it) with all its versions and delete markers."""
        versions = []
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=self.name, Prefix=key):
            for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if whole_prefix or item["Key"] == key:
                    versions.append({"Key": item["Key"], "VersionId": item["VersionId"]})
        for start in range(0, len(versions), _DELETE_BATCH):
            response = self._s3.delete_objects(
                Bucket=self.name, Delete={"Objects": versions[start:start + _DELETE_BATCH], "Quiet": True})
            if response.get("Errors"):
                raise RuntimeError(f"S3 refused to delete {len(response['Errors'])} object versions")

    # --- links -----------------------------------------------------------------------------------

    def download_url(self, key: str, valid_s: int, file_name: str | None = None) -> str:
        params = {"Bucket": self.name, "Key": key}
        if file_name:
            params["ResponseContentDisposition"] = f'attachment; filename="{file_name}"'
        return self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=valid_s)

    def upload_form(self, key: str, valid_s: int, max_bytes: int, fields: dict) -> dict:
        """A presigned POST for one file of 1..`max_bytes` bytes: `url` and the form `fields` (each
        one also a condition S3 checks, so the browser cannot change them); the file goes last."""
        conditions = [{name: value} for name, value in fields.items()] + [["content-length-range", 1, max_bytes]]
        post = self._s3.generate_presigned_post(self.name, key, Fields=dict(fields), Conditions=conditions,
                                                ExpiresIn=valid_s)
        return {"url": post["url"], "fields": post["fields"]}


def _is_missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING
