"""What each scanner says of an upload, and what `UploadScan` does with it: clean is used, still
being scanned stays and waits, infected or not scannable is deleted and explained. A bucket in
memory stands in for S3."""

import io

import pytest

from chalicelib.scanning import (GUARDDUTY_TAG, READ_CHUNK_BYTES, ClamdScanner, GuardDutyTags, MalwareFound,
                                 NotScanned, ScanPending, ScanStatus, SignatureScanner, UploadScan, local_scanner)
from chalicelib.storage import ObjectInfo, ObjectMissing

# The EICAR test file, built here so that no file of the repository holds it whole.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-" + b"STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
KEY = "incoming/account/upload"


class MemoryBucket:
    """The part of `chalicelib.storage.Bucket` the scanners use."""

    def __init__(self):
        self.objects, self.object_tags = {}, {}

    def put(self, key, body, tags=None):
        self.objects[key] = body
        self.object_tags[key] = dict(tags or {})

    def head(self, key):
        if key not in self.objects:
            return None
        return ObjectInfo(len(self.objects[key]), {}, f'"{hash(self.objects[key])}"')

    def open(self, key, first_bytes=None, if_match=None):
        if key not in self.objects:
            raise ObjectMissing(key)
        return io.BytesIO(self.objects[key][:first_bytes] if first_bytes else self.objects[key])

    def tags(self, key, version_id=None):
        if key not in self.objects:
            raise ObjectMissing(key)
        return self.object_tags[key]

    def delete_every_version(self, key, whole_prefix=False):
        self.objects.pop(key, None)


class FakeClamd:
    def __init__(self, answer=None, failure=None):
        self.answer, self.failure, self.streamed = answer, failure, b""

    def instream(self, stream):
        if self.failure:
            raise self.failure
        self.streamed = stream.read()
        return self.answer


@pytest.fixture
def bucket():
    return MemoryBucket()


@pytest.mark.parametrize("content", [EICAR, b"email\n" + EICAR + b"\n", b"x" * (READ_CHUNK_BYTES - 10) + EICAR])
def test_stand_in_finds_eicar_anywhere_even_across_chunks(bucket, content):
    # GIVEN an object holding the EICAR test file (alone, inside text, across the read chunks)
    bucket.put(KEY, content)
    # WHEN the stand-in scans it THEN it is infected
    assert SignatureScanner().scan(bucket, KEY).status is ScanStatus.INFECTED


def test_stand_in_passes_a_clean_file_with_the_etag_it_judged(bucket):
    bucket.put(KEY, b"email\nanna@example.com\n")
    result = SignatureScanner().scan(bucket, KEY)
    assert result.status is ScanStatus.CLEAN and result.etag == bucket.head(KEY).etag


@pytest.mark.parametrize("tag, status", [(None, ScanStatus.PENDING), ("NO_THREATS_FOUND", ScanStatus.CLEAN),
                                         ("THREATS_FOUND", ScanStatus.INFECTED),
                                         ("UNSUPPORTED", ScanStatus.NOT_SCANNED),
                                         ("ACCESS_DENIED", ScanStatus.NOT_SCANNED), ("FAILED", ScanStatus.NOT_SCANNED),
                                         ("SOMETHING_NEW", ScanStatus.NOT_SCANNED)])
def test_guardduty_verdict_is_read_from_its_tag(bucket, tag, status):
    # GIVEN an object GuardDuty has tagged (or not yet)
    bucket.put(KEY, b"anything", {GUARDDUTY_TAG: tag} if tag else {})
    # WHEN its verdict is read THEN the tag decides, and the content is never looked at
    assert GuardDutyTags().scan(bucket, KEY).status is status


@pytest.mark.parametrize("answer, status", [({"stream": ("OK", None)}, ScanStatus.CLEAN),
                                            ({"stream": ("FOUND", "Win.Test.EICAR_HDB-1")}, ScanStatus.INFECTED),
                                            ({"stream": ("ERROR", "INSTREAM size limit exceeded")},
                                             ScanStatus.NOT_SCANNED)])
def test_clamav_answer_becomes_the_verdict(bucket, answer, status):
    bucket.put(KEY, b"email\n")
    clamd = FakeClamd(answer)
    assert ClamdScanner(clamd).scan(bucket, KEY).status is status
    assert clamd.streamed == b"email\n"  # the object's bytes went to clamd


def test_clamav_gone_means_not_scanned(bucket):
    bucket.put(KEY, b"email\n")
    assert ClamdScanner(FakeClamd(failure=ConnectionError())).scan(bucket, KEY).status is ScanStatus.NOT_SCANNED


def test_stand_in_serves_when_no_clamd_socket_answers(tmp_path):
    # GIVEN no clamd daemon behind the socket path WHEN the local scanner is chosen THEN it is the stand-in
    assert local_scanner(str(tmp_path / "clamd.ctl")).name == "stand-in"


def test_infected_upload_is_deleted_and_refused(bucket):
    bucket.put(KEY, EICAR)
    with pytest.raises(MalwareFound) as refused:
        UploadScan(SignatureScanner()).require_clean(bucket, KEY)
    assert KEY not in bucket.objects and refused.value.status == 422


def test_upload_not_scanned_yet_stays_and_the_user_is_asked_to_wait(bucket):
    bucket.put(KEY, b"email\n")
    with pytest.raises(ScanPending) as pending:
        UploadScan(GuardDutyTags()).require_clean(bucket, KEY)
    assert KEY in bucket.objects
    assert pending.value.status == 409 and int(pending.value.headers["Retry-After"]) > 0


def test_upload_that_could_not_be_scanned_is_deleted_and_refused(bucket):
    bucket.put(KEY, b"email\n", {GUARDDUTY_TAG: "FAILED"})
    with pytest.raises(NotScanned):
        UploadScan(GuardDutyTags()).require_clean(bucket, KEY)
    assert KEY not in bucket.objects


def test_clean_upload_stays_and_its_etag_is_given(bucket):
    bucket.put(KEY, b"email\n", {GUARDDUTY_TAG: "NO_THREATS_FOUND"})
    assert UploadScan(GuardDutyTags()).require_clean(bucket, KEY) == bucket.head(KEY).etag
    assert KEY in bucket.objects


def test_missing_upload_is_missing(bucket):
    with pytest.raises(ObjectMissing):
        UploadScan(SignatureScanner()).require_clean(bucket, KEY)
