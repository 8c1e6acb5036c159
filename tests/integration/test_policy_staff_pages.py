"""Staff pages of privacy policy versions: only staff reach them; a draft is compared with the policy
in force and announced; bad input is a 4xx with a message, and changes nothing; every action is audited."""

import pytest

from tests.integration.accounts_helpers import post_form
from tests.integration.policy_helpers import (NEW_EN, NEW_NL, a_clock, announce_by_form, csrf_of, draft_by_form,
                                              earliest_date, staff_and_holder)

STAFF_PAGES = [("GET", "/staff/policy"), ("GET", "/staff/policy/1"), ("POST", "/staff/policy"),
               ("POST", "/staff/policy/2"), ("POST", "/staff/policy/2/announce"), ("POST", "/staff/policy/2/withdraw")]


def audit_events(aws_resources) -> list[str]:
    items = aws_resources.resource("dynamodb").Table("mailexpert-audit-log").scan()["Items"]
    return sorted(item["event"] for item in items if item["event"].startswith("policy."))


@pytest.mark.parametrize("method, path", STAFF_PAGES)
def test_staff_policy_pages_are_a_404_for_an_account_without_the_staff_flag(client, app_module, aws_resources, outbox,
                                                                            method, path):
    # GIVEN a staff member who drafted version 2, and an account holder who is not staff
    staff, holder = staff_and_holder(client, app_module, aws_resources, outbox)
    a_clock()
    assert draft_by_form(client, staff).status_code == 303
    # WHEN the account holder opens or posts to a staff policy page (with her own valid CSRF token)
    if method == "GET":
        response = client.get(path, headers={"Cookie": holder})
    else:
        response = post_form(client, path, {"text_nl": "x", "text_en": "x", "effective_on": "2099-01-01",
                                            "csrf_token": csrf_of(client, holder, "/app")}, cookie=holder)
    # THEN it does not exist for her, and nothing changed
    assert response.status_code == 404
    from chalicelib.composition import services

    assert services().policy.get(2).status.value == "draft"


def test_staff_drafts_sees_the_diff_and_announces_a_new_version(client, app_module, aws_resources, outbox):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    clock = a_clock()
    # WHEN staff save a draft
    response = draft_by_form(client, staff)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/policy/2?notice=drafted"
    # THEN its page shows what changes against version 1, removed and added
    page = client.get("/staff/policy/2", headers={"Cookie": staff, "Accept-Language": "en"}).body.decode()
    assert "<ins>" in page and "<del>" in page and "30 dagen" in page
    assert "<p>Deze alinea is nieuw.</p>" in page  # the rendered preview
    assert f'value="{earliest_date(clock)}"' in page
    # WHEN they announce it for the earliest date allowed
    response = announce_by_form(client, staff, 2, earliest_date(clock))
    # THEN it is announced, and both actions are in the audit log
    assert response.status_code == 303 and response.headers["Location"] == "/staff/policy/2?notice=announced"
    overview = client.get("/staff/policy", headers={"Cookie": staff, "Accept-Language": "en"}).body.decode()
    assert "Announced, not yet in force" in overview
    assert audit_events(aws_resources) == ["policy.announced", "policy.drafted"]


def test_draft_without_text_is_the_form_again_with_the_message_beside_the_field(client, app_module, aws_resources,
                                                                                outbox):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    a_clock()
    response = draft_by_form(client, staff, text_nl="   ", text_en=NEW_EN)
    assert response.status_code == 422
    page = response.body.decode()
    assert 'id="text_nl-error"' in page and 'id="text_en-error"' not in page
    from chalicelib.composition import services

    assert [v.number for v in services().policy.versions()] == [1]


@pytest.mark.parametrize("effective_on", ["tomorrow", "", "2026-02-30"])
def test_unreadable_effective_date_is_a_422_beside_the_field(client, app_module, aws_resources, outbox, effective_on):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    a_clock()
    draft_by_form(client, staff)
    response = announce_by_form(client, staff, 2, effective_on)
    assert response.status_code == 422 and 'id="effective_on-error"' in response.body.decode()


def test_too_early_date_is_a_422_naming_the_earliest_allowed_date(client, app_module, aws_resources, outbox):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    clock = a_clock()
    draft_by_form(client, staff)
    from datetime import date, timedelta

    too_early = (date.fromisoformat(earliest_date(clock)) - timedelta(days=1)).isoformat()
    response = announce_by_form(client, staff, 2, too_early)
    assert response.status_code == 422
    assert earliest_date(clock) in response.body.decode()
    from chalicelib.composition import services

    assert services().policy.get(2).status.value == "draft"


def test_editing_an_announced_version_is_a_409_and_its_text_stays(client, app_module, aws_resources, outbox):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    clock = a_clock()
    draft_by_form(client, staff)
    announce_by_form(client, staff, 2, earliest_date(clock))
    response = post_form(client, "/staff/policy/2", {"text_nl": "# Anders\n", "text_en": "# Other\n",
                                                     "csrf_token": csrf_of(client, staff)}, cookie=staff)
    assert response.status_code == 409
    assert "never changed" in response.body.decode() or "nooit" in response.body.decode()
    from chalicelib.composition import services

    assert services().policy.get(2).text_nl == NEW_NL


def test_unknown_or_malformed_version_number_is_a_404(client, app_module, aws_resources, outbox):
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    a_clock()
    assert client.get("/staff/policy/9", headers={"Cookie": staff}).status_code == 404
    assert client.get("/staff/policy/abc", headers={"Cookie": staff}).status_code == 404
