"""AccountService on in-memory repositories, built through its constructor as chalicelib.services
builds it (with CampaignService told of the tracking choice): a profile saved from an older page
is refused, registering a taken address mails its owner instead, and switching tracking off
reaches the campaigns not yet started. (The integration tests check the same through the pages.)"""

import dataclasses
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from chalicelib import errors
from chalicelib.accounts.audit import AuditEvent
from chalicelib.accounts.service import AccountService
from chalicelib.campaigns.campaigns import Campaign, CampaignState
from chalicelib.campaigns.service import CampaignService
from tests.fakes.accounts import CREATED, an_account

BASE_URL = "https://app.mailexpert.nl"


@pytest.fixture
def service(accounts, audit, mail_queue, campaigns):
    campaign_service = CampaignService(campaigns, audience=None, audience_service=None, segments=None,
                                       send_queue=None, jobs_queue=None, tracking_signer=None, mail_sender=None,
                                       from_address="MailExpert <post@mailexpert.nl>", base_url=BASE_URL)
    service = AccountService(accounts, auth=None, audit=audit, mail_queue=mail_queue, public_base_url=BASE_URL,
                             remembered=None, throttle=None)
    service.tracking_changed.subscribe(campaign_service.follow_tracking_choice)
    return service


@pytest.fixture
def holder(accounts):
    accounts.create(an_account(email_verified_at=CREATED))
    return accounts.get("acc-1")


def test_profile_saved_from_an_older_page_is_refused_and_the_newer_change_kept(service, accounts, holder):
    # GIVEN the settings page open in two tabs, the first saved with a new city
    older = accounts.get(holder.account_id)
    service.update_profile(holder, dataclasses.replace(holder, city="Utrecht"), "192.0.2.1")
    # WHEN the older tab saves another city
    # THEN it is refused, and the first change stays
    with pytest.raises(errors.Conflict):
        service.update_profile(older, dataclasses.replace(older, city="Zwolle"), "192.0.2.1")
    assert accounts.get(holder.account_id).city == "Utrecht"


def test_registering_a_taken_address_mails_its_owner_instead(service, holder, mail_queue, audit):
    # GIVEN an account holder
    data = SimpleNamespace(email="Anna@Example.nl", name="Someone Else", phone="+31207654321", street="Dam 2",
                           postcode="1012 JS", city="Amsterdam", country="NL", language="en",
                           password="a long enough passphrase", company_name=None, coc_number=None,
                           vat_number=None, website=None)
    # WHEN someone registers their address again, in other capitals
    service.register(data, "nl", "192.0.2.7")
    # THEN no account is made: the owner is told by mail, and the attempt is in their audit log
    [mail] = mail_queue.requests
    assert mail.template == "already_registered" and mail.to == ("anna@example.nl",)
    assert mail.tags == {"account": holder.account_id}
    assert audit.entries == [(holder.account_id, AuditEvent.REGISTRATION_FOR_TAKEN_ADDRESS, "192.0.2.7", {})]


def test_switching_tracking_off_reaches_campaigns_not_yet_started(service, accounts, campaigns, holder):
    # GIVEN a draft and a campaign being sent, both counting opens and clicks
    now = datetime.now(timezone.utc)
    for campaign_id, state in (("draft", CampaignState.DRAFT), ("sending", CampaignState.SENDING)):
        campaigns.save_campaign(Campaign(campaign_id, holder.account_id, "Mei", "Mei", "Anna", None, "tpl-1", "list-1",
                                         None, state, now, now, tracking=True,
                                         started_at=now if state is CampaignState.SENDING else None))
    # WHEN the holder switches counting off
    service.set_campaign_tracking(holder, False, "192.0.2.1")
    # THEN the choice is stored, the draft follows, and the campaign on its way keeps what its mails started with
    assert accounts.get(holder.account_id).campaign_tracking is False
    assert campaigns.get_campaign(holder.account_id, "draft").tracking is False
    assert campaigns.get_campaign(holder.account_id, "sending").tracking is True
