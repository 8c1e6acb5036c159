"""Tracking (opens and clicks through our own endpoints) on the in-memory campaigns repository, built
through its constructor as chalicelib.services builds it: a click leads to the campaign's own link
and counts, once as unique per contact and link; an open of a campaign that is gone counts nothing;
a token that is not ours, or a link the campaign does not have, leads nowhere."""

from datetime import datetime, timezone

import pytest

from chalicelib import errors
from chalicelib.campaigns.campaigns import Campaign, CampaignState
from chalicelib.campaigns.tracking import Tracking
from chalicelib.campaigns.tracking import Click, Open, TrackingSigner

SECRET = b"unit-test-secret"
LINKS = ["https://shop.nl/a", "https://shop.nl/b"]


@pytest.fixture
def tracking(campaigns):
    """GIVEN a campaign being sent with two links, and the tracking endpoints' service on its store."""
    now = datetime.now(timezone.utc)
    campaigns.save_campaign(Campaign("camp-1", "acc-1", "Mei", "Mei", "Bakkerij", None, "tpl-1", "list-1", None,
                                     CampaignState.SENDING, now, now, started_at=now,
                                     content={"subject": "Mei", "html": "<p>Hoi</p>", "text": "Hoi", "links": LINKS}))
    return Tracking(campaigns, lambda: TrackingSigner(SECRET))


def click_token(contact_id="c1", link_index=1, campaign_id="camp-1", secret=SECRET) -> str:
    return TrackingSigner(secret).click_token(Click("acc-1", campaign_id, contact_id, link_index))


def test_click_leads_to_the_campaigns_link_and_counts_once_as_unique(tracking, campaigns):
    # WHEN a contact clicks the second link twice, and another contact once
    targets = [tracking.clicked(click_token("c1")), tracking.clicked(click_token("c1")),
               tracking.clicked(click_token("c2"))]
    # THEN each click goes to that link, all count, and each contact once as unique
    assert targets == ["https://shop.nl/b"] * 3
    counts = campaigns.engagement("camp-1")
    assert (counts["clicks_1"], counts["unique_clicks_1"]) == (3, 2)
    assert "clicks_0" not in counts


def test_open_counts_for_a_campaign_that_exists_only(tracking, campaigns):
    signer = TrackingSigner(SECRET)
    # WHEN the pixel of the campaign is loaded twice, and one of a campaign that is gone once
    tracking.opened(signer.open_token(Open("acc-1", "camp-1", "c1")) + ".gif")
    tracking.opened(signer.open_token(Open("acc-1", "camp-1", "c1")))
    tracking.opened(signer.open_token(Open("acc-1", "camp-gone", "c1")))
    # THEN the campaign counts two opens, one unique; nothing is counted for the other
    assert (campaigns.engagement("camp-1")["opens"], campaigns.engagement("camp-1")["unique_opens"]) == (2, 1)
    assert campaigns.engagement("camp-gone") == {}


def test_click_with_a_foreign_token_or_a_link_the_campaign_lacks_leads_nowhere(tracking, campaigns):
    # WHEN clicks come with a token of another secret, a link index the campaign lacks, a campaign that is gone
    for token in (click_token(secret=b"another secret"), click_token(link_index=2), click_token(campaign_id="x"),
                  "garbage"):
        # THEN each is not found, and nothing is counted
        with pytest.raises(errors.NotFound):
            tracking.clicked(token)
    assert campaigns.engagement("camp-1") == {}
    # AND a bad pixel token is ignored quietly
    tracking.opened("garbage.gif")
    assert campaigns.engagement("camp-1") == {}
