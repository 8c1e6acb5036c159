"""The log capture over the integration suite (P6) finds what it must and lets the IP address pass:
each case logs through the app's own logger, asks the capture, then clears what it logged on purpose."""

import re
import types

import pytest

from chalicelib.observability import bind_invocation, logger
from tests.integration import conftest
from tests.integration.accounts_helpers import REGISTRATION, log_in, post_form, register


def _found(capture, **fields) -> list[str]:
    logger.info("probe", **fields)
    found = capture.leaks()
    capture.forget()
    return found


def test_the_request_log_line_passes_with_its_ip_address(log_capture):
    # GIVEN the request log line as the app writes it, with the client's IP address, and a line whose
    # code-given words happen to be a test person's name ("Bart Bounce" is a contact of the test data)
    bind_invocation(route="/lists/{list_id}", request_id="r-1")
    # WHEN the capture looks at them
    logger.info("request handled", method="GET", status=200, latency_ms=1.5, ip="203.0.113.7")
    logger.info("ses event recorded", event_type="Bounce", bounce_type="Permanent")
    # THEN it finds nothing
    assert log_capture.leaks() == []


@pytest.mark.parametrize("fields, finding", [
    ({"contact": "anna@example.nl"}, "an e-mail address"),
    ({"detail": "refused for Pieter.deVries@Example.ORG"}, "an e-mail address"),
    ({"csrf_token": "x" * 20}, "a field that holds csrf_token"),
    ({"new_password": "hunter22"}, "a field that holds new_password"),
    ({"who": "Sanne Jansen"}, "a name from the test data"),  # tests/data/imports/mailchimp_subscribed_members.csv
    ({"who": REGISTRATION["name"]}, "a name from the test data"),
    ({"event_type": "Bounce", "detail": "Bart Bounce"}, "a name from the test data"),  # sendy_export_every_status.csv
])
def test_a_line_with_personal_data_or_a_secret_is_found(log_capture, fields, finding):
    # GIVEN / WHEN a line carrying an address, a secret field or a name from the test data
    found = _found(log_capture, **fields)
    # THEN the capture reports what it is
    assert any(f.startswith(finding) for f in found), found


def test_what_the_test_sent_and_received_is_looked_for(client, app_module, aws_resources, outbox, log_capture):
    # GIVEN an account registered and signed in through the app (a name, a password, a session
    # cookie, a verification mail with its token) and a question sent through the contact form
    register(client, app_module, aws_resources, outbox, name="Wilhelmina Zwart", email="wil@example.nl")
    session_id = log_in(client, email="wil@example.nl").split("=", 1)[1]
    message = "Mijn bestelling van vorige week is nooit aangekomen."
    sent = post_form(client, "/contact", {"name": "Wil", "email": "wil@example.nl", "subject": "Bestelling",
                                          "message": message})
    assert sent.status_code == 303, sent.body
    mails = outbox.mails()
    token = re.search(r"token=([A-Za-z0-9_\-]+)", "".join(m["text"] or "" for m in mails)).group(1)
    log_capture.mailed(mails)
    # WHEN the app's own lines are looked at
    # THEN they carry none of it
    assert log_capture.leaks() == []
    # AND lines that carry the name, the password, the session id, the message or the token are found
    assert any("a name the test sent" in f for f in _found(log_capture, who="Wilhelmina Zwart"))
    assert any("a secret (password)" in f for f in _found(log_capture, detail=REGISTRATION["password"]))
    assert any("a cookie" in f for f in _found(log_capture, detail=session_id))
    assert any("a message body" in f for f in _found(log_capture, detail=message))
    assert any("token" in f for f in _found(log_capture, detail=f"link {token}"))


def test_a_test_whose_lines_carry_personal_data_fails_with_the_finding(log_capture):
    # GIVEN a test item whose capture holds a line with an e-mail address, and its passed report
    logger.info("probe", contact="anna@example.nl")
    item = types.SimpleNamespace(stash=pytest.Stash())
    item.stash[conftest.LOG_CAPTURE] = log_capture
    report = types.SimpleNamespace(when="call", passed=True, outcome="passed", longrepr=None, sections=[],
                                   capstdout="", capstderr="")
    # WHEN the report is made
    hook = conftest.pytest_runtest_makereport(item, None)
    next(hook)
    with pytest.raises(StopIteration) as made:
        hook.send(report)
    # THEN the test fails, naming what was found and where
    assert made.value.value.outcome == "failed"
    assert "an e-mail address: anna@example.nl" in made.value.value.longrepr
    # AND a printed line (not a log record) is looked at too
    report = types.SimpleNamespace(when="teardown", passed=True, outcome="passed", longrepr=None, sections=[],
                                   capstdout='{"message": "x", "to": "bob@example.com"}\n', capstderr="")
    hook = conftest.pytest_runtest_makereport(item, None)
    next(hook)
    with pytest.raises(StopIteration) as made:
        hook.send(report)
    assert made.value.value.outcome == "failed" and "bob@example.com" in made.value.value.longrepr
