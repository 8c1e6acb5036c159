"""The campaigns repository's contract, as CampaignService, Tracking and DataRights use it: templates,
campaigns saved only from the state they were read in, their state by id alone, what the scheduler
finds due or sending (whatever time zone a send time was given in), fan-out pages, and opens, clicks
and counters. The same suite runs against InMemoryCampaigns and DynamoCampaigns on moto
(`TestDynamoDB(TestTodoDB)`)."""

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.campaigns.campaigns import Campaign, CampaignState, Fanout, RecipientIndex, Template
from chalicelib.campaigns.repository import DynamoCampaigns, StateConflict
from tests.fakes.campaigns import InMemoryCampaigns
from tests.integration.dynamo_tables import REGION, table_fixture

campaigns_table = table_fixture("CampaignsTable")
MOMENT = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=timezone.utc)
CONTENT = {"subject": "Mei", "html": "<p>Hoi</p>", "text": "Hoi", "links": ["https://shop.nl/a", "https://shop.nl/b"],
           "text_derived": True}


def a_template(template_id="tpl-1", account_id="acc-a", **changes) -> Template:
    return dataclasses.replace(Template(template_id, account_id, "Nieuwsbrief", "Hallo {{ contact.first_name }}",
                                        "<p>Hoi</p>", "Hoi", False, ("https://shop.nl/a",), MOMENT, MOMENT), **changes)


def a_campaign(campaign_id="camp-1", account_id="acc-a", state=CampaignState.DRAFT, created_at=MOMENT,
               **changes) -> Campaign:
    return dataclasses.replace(Campaign(campaign_id, account_id, "Mei", "Mei-actie", "Bakkerij Jansen", None, "tpl-1",
                                        "list-1", None, state, created_at, created_at), **changes)


class CampaignsContract:
    """The behaviours; a subclass gives the `campaigns` fixture."""

    # --- templates -----------------------------------------------------------------------------

    def test_saved_templates_are_read_back_and_listed_last_changed_first(self, campaigns):
        # GIVEN two saved templates, the first saved again later
        campaigns.save_template(a_template("tpl-1", links=("https://shop.nl/a", "https://shop.nl/b")))
        campaigns.save_template(a_template("tpl-2", name="Actie"))
        campaigns.save_template(a_template("tpl-1", name="Nieuwsbrief 2", links=()))
        # WHEN they are read
        found = campaigns.get_template("acc-a", "tpl-1")
        # THEN the latest save of each is kept with the moment of that save, the last changed listed first
        assert (found.name, found.links, found.created_at, found.text_derived) == ("Nieuwsbrief 2", (), MOMENT, False)
        assert found.updated_at > MOMENT
        assert [t.template_id for t in campaigns.templates("acc-a")] == ["tpl-1", "tpl-2"]
        assert campaigns.get_template("acc-a", "tpl-2").links == ("https://shop.nl/a",)
        # AND a deleted one is gone, another account's is never found
        campaigns.delete_template("acc-a", "tpl-2")
        assert campaigns.get_template("acc-a", "tpl-2") is None
        assert campaigns.get_template("acc-b", "tpl-1") is None and campaigns.templates("acc-b") == []

    # --- campaigns -----------------------------------------------------------------------------

    def test_saved_campaign_is_read_back_with_every_field_and_its_state_by_id_alone(self, campaigns):
        # GIVEN a campaign with every field set, a time in another zone among them
        amsterdam = timezone(timedelta(hours=2))
        campaign = a_campaign(
            state=CampaignState.SENDING, reply_to="info@bakkerij.nl", segment_id="seg-1",
            send_at=MOMENT.astimezone(amsterdam), time_zone="Europe/London", tracking=False, content=CONTENT,
            fanout=Fanout(3, "cursor-3", 1500, False), started_at=MOMENT, finished_at=MOMENT + timedelta(hours=1),
            recipient_index=RecipientIndex(2, 4, 1), from_email="nieuws@bakkerij.nl", held_because="domain-not-verified")
        # WHEN it is saved and read back
        campaigns.save_campaign(campaign)
        found = campaigns.get_campaign("acc-a", "camp-1")
        # THEN it is what was saved, with the moment of the save, its times in UTC
        assert found == campaign and found.updated_at > MOMENT
        assert found.send_at.utcoffset() == timedelta(0)
        assert campaigns.campaign_state("camp-1") == ("acc-a", "sending")
        assert campaigns.get_campaign("acc-a", "camp-9") is None and campaigns.campaign_state("camp-9") is None

    def test_campaign_read_and_changed_but_not_saved_is_not_stored(self, campaigns):
        # GIVEN a saved campaign, read back
        campaigns.save_campaign(a_campaign(content=CONTENT))
        read = campaigns.get_campaign("acc-a", "camp-1")
        # WHEN what was read is changed in place
        read.content["links"].append("https://elsewhere.example/")
        read.fanout.page = 7
        # THEN the store still has what was written
        found = campaigns.get_campaign("acc-a", "camp-1")
        assert found.content == CONTENT and found.fanout == Fanout()

    def test_save_from_the_expected_state_goes_and_from_another_is_refused(self, campaigns):
        # GIVEN a scheduled campaign, read twice
        campaigns.save_campaign(a_campaign(state=CampaignState.SCHEDULED, send_at=MOMENT))
        pausing, starting = campaigns.get_campaign("acc-a", "camp-1"), campaigns.get_campaign("acc-a", "camp-1")
        # WHEN one moves it from scheduled to paused, and the other then tries from scheduled to sending
        pausing.state = CampaignState.PAUSED
        campaigns.save_campaign(pausing, expected_state=CampaignState.SCHEDULED)
        starting.state = CampaignState.SENDING
        # THEN the second is refused, and the pause stays
        with pytest.raises(StateConflict):
            campaigns.save_campaign(starting, expected_state=CampaignState.SCHEDULED)
        assert campaigns.get_campaign("acc-a", "camp-1").state is CampaignState.PAUSED
        assert campaigns.campaign_state("camp-1") == ("acc-a", "paused")
        # AND a campaign never saved is not in any state
        with pytest.raises(StateConflict):
            campaigns.save_campaign(a_campaign("camp-2"), expected_state=CampaignState.DRAFT)
        assert campaigns.get_campaign("acc-a", "camp-2") is None

    def test_campaigns_are_listed_per_account_newest_first(self, campaigns):
        # GIVEN campaigns of two accounts
        for n in range(3):
            campaigns.save_campaign(a_campaign(f"camp-{n}", created_at=MOMENT + timedelta(days=n)))
        campaigns.save_campaign(a_campaign("camp-b", "acc-b"))
        # WHEN an account's are listed THEN only its own come, the newest first
        assert [c.campaign_id for c in campaigns.campaigns("acc-a")] == ["camp-2", "camp-1", "camp-0"]
        assert [c.campaign_id for c in campaigns.campaigns("acc-b")] == ["camp-b"]
        assert campaigns.get_campaign("acc-b", "camp-0") is None

    def test_scheduled_campaigns_are_due_at_their_moment_whatever_its_time_zone(self, campaigns):
        # GIVEN campaigns scheduled at one moment written in three time zones, one later, and a draft
        for campaign_id, hours in (("utc", 0), ("amsterdam", 1), ("new-york", -5)):
            campaigns.save_campaign(a_campaign(campaign_id, state=CampaignState.SCHEDULED,
                                               send_at=MOMENT.astimezone(timezone(timedelta(hours=hours)))))
        campaigns.save_campaign(a_campaign("later", "acc-b", state=CampaignState.SCHEDULED,
                                           send_at=MOMENT + timedelta(minutes=1)))
        campaigns.save_campaign(a_campaign("draft", send_at=MOMENT))
        # WHEN the scheduler asks just before, at and after that moment
        # THEN none is due before it; at it, the three are due and nothing else
        assert campaigns.due(MOMENT - timedelta(microseconds=1)) == []
        assert sorted(campaigns.due(MOMENT)) == [("acc-a", "amsterdam"), ("acc-a", "new-york"), ("acc-a", "utc")]
        assert sorted(campaigns.due(MOMENT + timedelta(hours=6)))[-1] == ("acc-b", "later")
        assert len(campaigns.due(MOMENT + timedelta(hours=6))) == 4

    def test_started_campaigns_are_sending_and_no_longer_due(self, campaigns):
        # GIVEN two scheduled campaigns
        for campaign_id in ("camp-1", "camp-2"):
            campaigns.save_campaign(a_campaign(campaign_id, state=CampaignState.SCHEDULED, send_at=MOMENT))
        # WHEN one starts sending, and the other is sent
        started = campaigns.get_campaign("acc-a", "camp-1")
        started.state, started.started_at = CampaignState.SENDING, MOMENT
        campaigns.save_campaign(started, expected_state=CampaignState.SCHEDULED)
        sent = campaigns.get_campaign("acc-a", "camp-2")
        sent.state = CampaignState.SENT
        campaigns.save_campaign(sent)
        # THEN neither is due; the first is the one being sent
        assert campaigns.due(MOMENT + timedelta(days=1)) == []
        assert campaigns.sending() == [("acc-a", "camp-1")]

    def test_fanout_pages_are_kept_per_campaign_and_page(self, campaigns):
        # GIVEN two pages of a campaign's fan-out written down
        campaigns.save_page("camp-1", 0, ["c1", "c2"], "cursor-1")
        campaigns.save_page("camp-1", 1, ["c3"], None)
        # WHEN they are read back
        # THEN each has its recipients and the cursor of the next page; unwritten ones are none
        assert (campaigns.get_page("camp-1", 0).contact_ids, campaigns.get_page("camp-1", 0).next_cursor) == (
            ["c1", "c2"], "cursor-1")
        assert (campaigns.get_page("camp-1", 1).contact_ids, campaigns.get_page("camp-1", 1).next_cursor) == (
            ["c3"], None)
        assert campaigns.get_page("camp-1", 2) is None and campaigns.get_page("camp-2", 0) is None

    # --- opens, clicks and counters ---------------------------------------------------------------

    def test_first_open_and_first_click_per_link_count_as_unique(self, campaigns):
        # WHEN a contact opens twice and clicks one link twice, another contact once
        firsts = [campaigns.record_engagement("camp-1", "open", "c1"),
                  campaigns.record_engagement("camp-1", "open", "c1"),
                  campaigns.record_engagement("camp-1", "click", "c1", 0),
                  campaigns.record_engagement("camp-1", "click", "c1", 0),
                  campaigns.record_engagement("camp-1", "click", "c1", 1),
                  campaigns.record_engagement("camp-1", "click", "c2", 0)]
        # THEN only the first of each is first, and the counters count all and the unique ones apart
        assert firsts == [True, False, True, False, True, True]
        counts = campaigns.engagement("camp-1")
        assert {k: v for k, v in counts.items() if "@" not in k} == {
            "opens": 2, "unique_opens": 1, "clicks_0": 3, "unique_clicks_0": 2, "clicks_1": 1, "unique_clicks_1": 1,
            "unique_clickers": 2}  # c1 and c2 clicked, c1 on two links
        hourly = {k.split("@")[0]: v for k, v in counts.items() if "@" in k}
        assert hourly == {"opens": 2, "clicks": 4}
        assert campaigns.engagement("camp-2") == {}

    def test_a_test_send_is_remembered_per_campaign(self, campaigns):
        from datetime import datetime, timezone

        # GIVEN no test send yet THEN there is none
        assert campaigns.last_test_send("camp-1") is None
        # WHEN two test sends are recorded THEN the last one is remembered, for its campaign only
        campaigns.record_test_send("camp-1", "anna@example.nl", datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
        campaigns.record_test_send("camp-1", "bob@example.nl", datetime(2026, 12, 2, 9, tzinfo=timezone.utc))
        assert campaigns.last_test_send("camp-1") == ("bob@example.nl", datetime(2026, 12, 2, 9, tzinfo=timezone.utc))
        assert campaigns.last_test_send("camp-2") is None

    def test_counts_and_usage_add_up(self, campaigns):
        # WHEN counts are added to a campaign, and usage to two months of an account
        campaigns.add_counts("camp-1", {"bounced": 1, "complained": 1})
        campaigns.add_counts("camp-1", {"bounced": 2})
        campaigns.add_usage("acc-a", "2026-03", {"mails": 100, "campaigns": 1})
        campaigns.add_usage("acc-a", "2026-03", {"mails": 50})
        campaigns.add_usage("acc-a", "2026-04", {"mails": 7})
        # THEN each adds to what was there; other months and accounts have nothing
        assert campaigns.engagement("camp-1") == {"bounced": 3, "complained": 1}
        assert campaigns.usage("acc-a", "2026-03") == {"mails": 100 + 50, "campaigns": 1}
        assert campaigns.usage("acc-a", "2026-04") == {"mails": 7}
        assert campaigns.usage("acc-b", "2026-03") == {} and campaigns.usage("acc-a", "2026-05") == {}

    def test_a_contacts_opens_and_clicks_are_found_and_forgotten_with_the_counters_kept(self, campaigns):
        # GIVEN a contact who opened one campaign and clicked its second link, and another campaign never opened
        one, other = a_campaign("camp-1", content=CONTENT), a_campaign("camp-2", content=CONTENT)
        campaigns.record_engagement("camp-1", "open", "c1")
        campaigns.record_engagement("camp-1", "click", "c1", 1)
        campaigns.record_engagement("camp-1", "open", "c2")
        # WHEN what the contact did is asked
        found = campaigns.contact_engagement("c1", [one, other])
        # THEN the open's moment and the clicked link are known for the one campaign only
        assert list(found) == ["camp-1"] and found["camp-1"]["clicked"] == [1]
        assert datetime.fromisoformat(found["camp-1"]["opened"]) >= MOMENT
        # WHEN the contact is forgotten THEN their opens and clicks are gone, the counters and others' opens stay
        campaigns.forget_engagement("c1", [one, other])
        assert campaigns.contact_engagement("c1", [one, other]) == {}
        assert campaigns.contact_engagement("c2", [one])["camp-1"]["opened"]
        assert campaigns.engagement("camp-1")["unique_opens"] == 2
        assert campaigns.record_engagement("camp-1", "open", "c1") is True

    # --- erasure -------------------------------------------------------------------------------

    def test_erasing_an_account_removes_its_templates_campaigns_and_their_items_only(self, campaigns):
        # GIVEN two accounts with a template, a campaign, a fan-out page, an open and usage each
        for account_id, campaign_id in (("acc-a", "camp-a"), ("acc-b", "camp-b")):
            campaigns.save_template(a_template(account_id=account_id))
            campaigns.save_campaign(a_campaign(campaign_id, account_id, content=CONTENT))
            campaigns.save_page(campaign_id, 0, ["c1"], None)
            campaigns.record_engagement(campaign_id, "open", "c1")
            campaigns.add_usage(account_id, "2026-03", {"mails": 1})
        # WHEN the first account's campaigns are erased
        erased = campaigns.erase_account("acc-a")
        # THEN all of its items are gone, and the other account keeps its own
        assert erased >= 6
        assert campaigns.templates("acc-a") == [] and campaigns.campaigns("acc-a") == []
        assert campaigns.campaign_state("camp-a") is None and campaigns.get_page("camp-a", 0) is None
        assert campaigns.engagement("camp-a") == {} and campaigns.usage("acc-a", "2026-03") == {}
        assert campaigns.record_engagement("camp-a", "open", "c1") is True
        assert len(campaigns.templates("acc-b")) == 1 and campaigns.campaign_state("camp-b") == ("acc-b", "draft")
        assert campaigns.get_page("camp-b", 0).contact_ids == ["c1"]
        assert campaigns.engagement("camp-b")["opens"] == 1 and campaigns.usage("acc-b", "2026-03") == {"mails": 1}


class TestInMemoryCampaigns(CampaignsContract):
    @pytest.fixture
    def campaigns(self):
        return InMemoryCampaigns()


class TestDynamoCampaigns(CampaignsContract):
    @pytest.fixture
    def campaigns(self, campaigns_table):
        return DynamoCampaigns(campaigns_table, REGION, None)
