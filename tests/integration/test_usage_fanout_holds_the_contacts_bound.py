"""The fan-out checks the month's recipients again (P7) without reading the whole list an extra time:
while the account's contacts (more than any of its lists reaches) fit under the first warning, it
holds that many, reads the list once to queue it, and gives back what it did not use. Near the
warning it counts the list first, so no warning goes out for recipients that were never sent."""

from chalicelib.campaigns.service import CampaignService
from chalicelib.composition import services
from tests.integration.accounts_helpers import deliver_mail, post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.review_helpers import send_through_review
from tests.integration.test_campaign_flow import _add, _campaign_with_template
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.test_usage_warning_mails import _warnings
from tests.integration.usage_helpers import account_of, queued, small_free_plan, usage_api


def _campaign_to_two_of_five_contacts(client, app_module, aws_resources, outbox):
    """Two contacts on the campaign's list, three more on another list of the account."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(2):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    other = post_form(client, "/lists", {"csrf_token": csrf, "name": "Leveranciers"}, cookie=cookie)
    assert other.status_code == 303, other.body
    other_id = other.headers["Location"].rsplit("/", 1)[1]
    for number in range(3):
        _add(client, cookie, csrf, other_id, f"leverancier{number}@example.com", f"Leverancier{number}")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    run_background_jobs(app_module, aws_resources)
    return cookie, csrf, campaign_id


def _counting_recipients(monkeypatch) -> list:
    """Each time the campaign service counts a campaign's recipients (reading its whole list)."""
    counted = []
    original = CampaignService.count_recipients

    def count_recipients(self, campaign):
        counted.append(campaign.campaign_id)
        return original(self, campaign)

    monkeypatch.setattr(CampaignService, "count_recipients", count_recipients)
    return counted


def test_fan_out_with_room_for_every_contact_reads_the_list_once_and_keeps_only_the_recipients(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of 100 recipients a month and a campaign to 2 of the account's 5 contacts, confirmed
    small_free_plan(monkeypatch, recipients=100)
    cookie, csrf, campaign_id = _campaign_to_two_of_five_contacts(client, app_module, aws_resources, outbox)
    assert send_through_review(client, cookie, csrf, campaign_id).status_code == 303
    counted = _counting_recipients(monkeypatch)
    # WHEN the fan-out runs
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN it did not count the list before queuing it, both recipients are queued
    assert counted == []
    assert queued(aws_resources, "mailexpert-campaign-send") == 1
    campaign = services().campaign_service.get_campaign(account_of(), campaign_id)
    assert campaign.fanout.done and campaign.fanout.recipients == 2
    # AND the month counts the 2 recipients, not the 5 contacts it held on the way
    assert usage_api(client, cookie)["recipients"] == 2


def test_fan_out_near_the_warning_counts_first_and_sends_no_warning_for_recipients_never_sent(
        client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of 6 recipients a month: holding all 5 contacts would pass its 80 % (5), the 2 recipients do not
    small_free_plan(monkeypatch, recipients=6)
    cookie, csrf, campaign_id = _campaign_to_two_of_five_contacts(client, app_module, aws_resources, outbox)
    assert send_through_review(client, cookie, csrf, campaign_id).status_code == 303
    counted = _counting_recipients(monkeypatch)
    # WHEN the fan-out runs
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN it counted the recipients first, queued them, and the month counts 2 of 6
    assert counted == [campaign_id]
    assert services().campaign_service.get_campaign(account_of(), campaign_id).fanout.recipients == 2
    assert usage_api(client, cookie)["recipients"] == 2
    # AND no warning mail went out
    deliver_mail(app_module, aws_resources)
    assert _warnings(outbox) == []
