"""The beacon's report is read strictly: what the policy names, bounded; anything else is a clear 400."""

import json

import pytest

from chalicelib import errors
from chalicelib.analytics.reports import MAX_DWELL_MS, read_report

VALID = {"path": "/pricing", "dwell_ms": 1200, "referrer": "www.example.com", "screen": "1920x1080"}


def body(**changes):
    return json.dumps({**VALID, **changes})


def test_a_valid_report_is_read():
    report = read_report(body())
    assert (report.path, report.dwell_ms, report.referrer_host, report.screen) == (
        "/pricing", 1200, "www.example.com", "1920x1080")


def test_the_query_string_and_fragment_are_never_kept():
    assert read_report(body(path="/reset?token=secret#top")).path == "/reset"


def test_record_ids_in_the_path_are_replaced_so_pages_group():
    report = read_report(body(path="/campaigns/3f9a0c1e2b7d4e5f8a9b0c1d2e3f4a5b/report"))
    assert report.path == "/campaigns/:id/report"
    assert read_report(body(path="/lists/42")).path == "/lists/:id"
    assert read_report(body(path="/")).path == "/"


def test_no_referrer_and_a_long_stay_are_accepted_bounded():
    report = read_report(body(referrer="", dwell_ms=10 * MAX_DWELL_MS))
    assert report.referrer_host == "" and report.dwell_ms == MAX_DWELL_MS


@pytest.mark.parametrize("raw, says", [
    (b"", "empty"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (body(extra="x").encode(), "not accepted: extra"),
    (body(path="pricing").encode(), "starting with '/'"),
    (body(path="/a b").encode(), "without spaces"),
    (body(path="/" + "a" * 300).encode(), "at most 200 characters"),
    (body(dwell_ms=-1).encode(), "milliseconds"),
    (body(dwell_ms="12").encode(), "milliseconds"),
    (body(referrer="https://www.example.com/page?q=1").encode(), "host name only"),
    (body(screen="big").encode(), "1920x1080"),
    (body(screen=None).encode(), "1920x1080"),
    (b"x" * 5000, "larger than 2048 bytes"),
])
def test_bad_input_is_refused_with_a_message_that_says_what_is_wrong(raw, says):
    with pytest.raises(errors.MalformedRequest) as refused:
        read_report(raw)
    assert refused.value.status == 400
    assert says in errors.message_text(refused.value, lambda message: message)
